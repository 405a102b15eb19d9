"""Runs a command on a pseudo-terminal and answers its passphrase prompts.

usage: python3 pty_answer.py '["answer", ...]' COMMAND ARG...
Each answer is typed (then Enter) once a prompt mentioning "passphrase" and ending in ": "
has appeared. With PTY_THEN='["text to wait for", "line"]' in the environment, the line is
typed once the answers are given and the text has appeared (a command for serve).
Prints everything the terminal showed; exits with the command's exit code.
"""
import json
import os
import pty
import select
import sys
import time

answers = json.loads(sys.argv[1])
then = json.loads(os.environ.get("PTY_THEN", "null"))
command = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

shown = b""
answered_at = 0
deadline = time.time() + 60
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:  # the command closed the terminal: it has ended
            break
        if not data:
            break
        shown += data
    waiting = shown[answered_at:]
    if answers and b"passphrase" in waiting and waiting.endswith(b": "):
        os.write(fd, answers.pop(0).encode("utf-8") + b"\r")
        answered_at = len(shown)
    elif not answers and then and then[0].encode("utf-8") in shown[answered_at:]:
        os.write(fd, then[1].encode("utf-8") + b"\r")
        then = None

_, status = os.waitpid(pid, 0)
sys.stdout.write(shown.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
