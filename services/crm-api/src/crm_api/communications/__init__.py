"""Communications: every note, call, email, meeting and text, on a contact or an organization,
with its event time, attendees, outcome and next action."""
