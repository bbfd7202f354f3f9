"""`python -m gmail_fake --port N`: the fake in its own process, for benchmarks and by hand.

It can fill itself (`--generate N --seed S` puts a generated corpus into the team's mailboxes),
write a service account's key file (`--service-account-key PATH`) and register an OAuth client
(`--oauth-client ID:SECRET:REDIRECT_URI`); the rest is driven over `/_fake/` (see admin_api).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from gmail_fake.fake import GoogleFake
from gmail_fake.generator import TEAM, generate_corpus


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="gmail-fake", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", action="append", default=[], help="a mailbox (repeatable)")
    parser.add_argument("--generate", type=int, default=0, help="messages to generate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--service-account", default="gmail-sync@crm-fake.iam.example")
    parser.add_argument("--service-account-key", type=Path, help="write its key file here")
    parser.add_argument("--oauth-client", action="append", default=[], help="ID:SECRET:REDIRECT")
    args = parser.parse_args(argv)

    fake = GoogleFake()
    fake.url = f"http://{args.host}:{args.port}"
    fake.auth.token_url = fake.token_uri
    for user in args.user or ([] if args.generate else list(TEAM)):
        fake.add_user(user)
    if args.generate:
        generate_corpus(args.generate, seed=args.seed, mailboxes=args.user or TEAM).load_into(fake)
    if args.service_account_key:
        key = fake.add_service_account(args.service_account)
        fd = os.open(args.service_account_key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(key, out)
    for spec in args.oauth_client:
        client_id, secret, redirect = spec.split(":", 2)
        fake.add_oauth_client(client_id, secret, [redirect])
    sys.stderr.write(f"gmail-fake listening on {fake.url}\n")
    fake.serve(host=args.host, port=args.port)


if __name__ == "__main__":
    main()
