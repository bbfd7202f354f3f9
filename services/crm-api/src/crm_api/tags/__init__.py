"""Tags: a managed palette (a name unique among live tags, a colour, a description), linked to
organizations, contacts and opportunities through real link tables."""
