"""Staff accounts. Sign-in and the console arrive with the staff console; the accounts exist now so
the demo district and `lantern staff add` can create them."""

from piccolo.columns import M2M, Boolean, ForeignKey, LazyTableReference, Serial, Timestamptz, Varchar
from piccolo.table import Table

from web.district.tables import School

ROLES = ("responder", "school_admin", "district_admin", "analyst")


class StaffAccount(Table):
    id = Serial(primary_key=True)
    email = Varchar(length=254, unique=True)
    display_name = Varchar(length=100)
    # Argon2id (argon2-cffi PasswordHasher), never the password.
    password_hash = Varchar(length=200)
    role = Varchar(length=20)
    active = Boolean(default=True)
    created_at = Timestamptz()
    schools = M2M(LazyTableReference("StaffSchool", module_path=__name__))


class StaffSchool(Table):
    id = Serial(primary_key=True)
    staff = ForeignKey(references=StaffAccount)
    school = ForeignKey(references=School)
