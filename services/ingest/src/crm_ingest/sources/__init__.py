"""Chunk sources: one self-contained module per kind of record, registered in `registry`.

A source says which events it reads (`crm.communication.*`, say), where its record lives in the
CRM, and what a record's state means for the index: its prose fields (embedded) and its payload
(filtered on, never embedded). The pipeline knows nothing else about any source.
"""
