"""Open Referral HSDS 3.0 in and out: import, export and the records the read-only API serves.

schema.py    the vendored HSDS schemas (schema/, CC BY-SA 4.0) and checking records against them
mapping.py   which HSDS field is which column; Lantern's own fields as attributes
export.py    the directory as flat HSDS records, one list per table
csv_package.py / json_package.py   the two forms of a data package, read and written
importer.py  check everything, then write everything in one transaction (or nothing)
nesting.py   records nested as the HSDS API serves them
reader.py    the pages and records the read-only API (web/api/hsds.py) serves
commands.py  `lantern resources import|export`
"""
