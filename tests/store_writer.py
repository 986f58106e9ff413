"""A participant as a separate process: join, answer every item, validate.

    python store_writer.py URL CODE GROUP SEED [--forever]

Prints ``token <token>`` once joined, then ``saved <round> <item>`` after each
``save_answer`` returned, then ``done``. With ``--forever`` it keeps changing its
answers round after round and never validates (to be killed mid-questionnaire).
"""

from __future__ import annotations

import sys

from store_support import value_for

from coopkit.store import open_store


def main(argv: list[str]) -> int:
    url, code, group, seed = argv[0], argv[1], argv[2], int(argv[3])
    forever = "--forever" in argv
    with open_store(url) as store:
        participant = store.join(code, group)
        print("token", participant.token, flush=True)
        items = list(store.questionnaire(
            store.workshop(participant.workshop_id).questionnaire_hash).items())
        round_ = 0
        while True:
            for item in items:
                store.save_answer(participant.token, item.id, value_for(item, seed + round_))
                print("saved", round_, item.id, flush=True)
            if not forever:
                break
            round_ += 1
        store.validate(participant.token)
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
