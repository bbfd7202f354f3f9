"""Follow-ups: tasks with a due date and an owner, on contacts, organizations or opportunities,
created directly or from a communication's next action."""
