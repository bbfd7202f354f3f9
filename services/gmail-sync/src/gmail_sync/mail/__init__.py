"""Mail: the canonical messages (one per RFC Message-ID), their sightings per mailbox, their
attachments and their links to resolver entities; the privacy rules that decide what is kept;
the `gmail.message.*` events and the `gmail.message(s)` request-reply endpoints."""
