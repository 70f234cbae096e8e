"""Small "navigator" steps the stories are written in: what a person does, in their words."""
