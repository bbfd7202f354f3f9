"""A Gmail v1, Calendar v3 and Google OAuth compatible HTTP fake that the real
google-api-python-client and google-auth talk to offline, and a generator of realistic mailboxes.

    with GoogleFake() as fake:            # serves on a free port of 127.0.0.1
        fake.add_user("ann@fund.example")
        fake.add_message("ann@fund.example", raw_bytes, label_ids=["INBOX"])
        key = fake.add_service_account("sync@project.iam.example", scopes=[GMAIL_READONLY])
        creds = service_account.Credentials.from_service_account_info(key, scopes=[...])
        gmail = build("gmail", "v1", credentials=creds.with_subject("ann@fund.example"),
                      static_discovery=True, client_options={"api_endpoint": fake.gmail_endpoint})
"""

from gmail_fake.fake import GoogleFake, running

__all__ = ["GoogleFake", "running"]
