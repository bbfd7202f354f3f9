"""Custom fields: typed fields an admin defines for contacts, organizations and opportunities,
checked on every write that sets them and kept on the record as a JSON object."""
