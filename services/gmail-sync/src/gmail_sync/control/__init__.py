"""Control: what a person does through crm-api's /api/email routes — status, enrolment, pause,
remove, opt-out, OAuth, "sync now", rematch, mark private — as `gmail.*` request-reply."""
