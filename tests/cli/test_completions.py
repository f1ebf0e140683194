#!/usr/bin/env python3
"""Shell completions written from the command line's definition.

bash: the script is sourced in a real bash, COMP_WORDS/COMP_CWORD are set as bash sets
them, the completion function runs and COMPREPLY is checked: subcommands, options, the
fixed values of an option (single and comma-separated lists), files and directories.
Every option that a subcommand's --help lists is offered (nothing drifts), hidden ones
are not. zsh and fish: the scripts parse (`zsh -n`, `fish -n`) when those shells exist.

Usage: test_completions.py /path/to/conc-probe
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BINARY = os.path.abspath(sys.argv[1])
FAILURES = []
SUBCOMMANDS = ["info", "bench", "compare", "list", "report", "show", "completions"]


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def script(shell):
    result = subprocess.run([BINARY, "completions", shell], capture_output=True, text=True)
    check(result.returncode == 0 and result.stderr == "", f"completions {shell}: {result.returncode} {result.stderr!r}")
    return result.stdout


def complete(bash_script, words, cwd):
    """COMPREPLY for the command line `words`, the last word being completed."""
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    program = (f"source {bash_script}\nCOMP_WORDS=({quoted})\nCOMP_CWORD={len(words) - 1}\n"
               "_conc_probe\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True,
                            text=True, cwd=cwd)
    check(result.returncode == 0 and result.stderr == "", f"{words}: bash said {result.stderr!r}")
    return sorted(line for line in result.stdout.splitlines() if line)


def help_options(subcommand):
    """Every --long option that `conc-probe SUBCOMMAND --help` lists."""
    text = subprocess.run([BINARY, subcommand, "--help"], capture_output=True, text=True).stdout
    options = text.split("Options:", 1)[-1].split("Examples:", 1)[0].split("Example:", 1)[0]
    found = set()
    for line in options.splitlines():
        m = re.match(r"^\s+(?:-\w,)?(--[a-z][a-z-]*)", line)
        if m:
            found.add(m.group(1))
    return found


def test_bash(tmp):
    path = tmp / "conc-probe.bash"
    path.write_text(script("bash"))
    (tmp / "run-a.json").write_text("{}")
    (tmp / "runs").mkdir()
    cases = [
        (["conc-probe", "be"], ["bench"]),
        (["conc-probe", ""], sorted(SUBCOMMANDS)),
        (["conc-probe", "c"], ["compare", "completions"]),
        (["conc-probe", "--v"], ["--version"]),
        (["conc-probe", "bench", "--mo"], ["--mode"]),
        (["conc-probe", "bench", "--mode", "t"], ["threads"]),
        (["conc-probe", "bench", "-m", "single,g"], ["single,gil"]),
        (["conc-probe", "bench", "--mode", "=", "t"], ["threads"]),
        (["conc-probe", "bench", "--workload", "conv"], ["convoy", "convoy-ready"]),
        (["conc-probe", "bench", "-f", "c"], ["csv"]),
        (["conc-probe", "bench", "--start-method", ""], ["fork", "spawn", "forkserver"]),
        (["conc-probe", "bench", "--color", "n"], ["never"]),
        (["conc-probe", "bench", "-o", "run-"], ["run-a.json"]),
        (["conc-probe", "bench", "--duration", ""], []),
        (["conc-probe", "info", "--format", ""], ["json", "table"]),
        (["conc-probe", "info", "--sysroot", "ru"], ["runs"]),
        (["conc-probe", "compare", "--fail-on", "i"], ["inconclusive"]),
        (["conc-probe", "compare", "run"], ["run-a.json", "runs"]),
        (["conc-probe", "show", "--format", "m"], ["markdown"]),
        (["conc-probe", "completions", "z"], ["zsh"]),
        (["conc-probe", "__w"], []),
        (["conc-probe", "bench", "--fault"], []),
    ]
    passed = 0
    for words, expected in cases:
        got = complete(path, words, tmp)
        ok = got == sorted(expected)
        check(ok, f"complete {' '.join(words[1:])!r}: {got} (expected {sorted(expected)})")
        passed += ok
    for sub in SUBCOMMANDS:
        offered = set(complete(path, ["conc-probe", sub, "--"], tmp))
        listed = help_options(sub)
        check(listed, f"{sub} --help lists no options")
        missing = listed - offered
        check(not missing, f"{sub}: --help lists {sorted(missing)}, completion does not offer them")
        passed += not missing
    print(f"bash compgen: {passed}/{len(cases) + len(SUBCOMMANDS)} cases passed")


def test_other_shells(tmp):
    for shell, command in (("zsh", ["zsh", "-n"]), ("fish", ["fish", "-n"])):
        text = script(shell)
        check("--mode" not in text or "threads" in text, f"{shell}: --mode without its values")
        for sub in SUBCOMMANDS:
            check(sub in text, f"{shell}: no {sub}")
        if shutil.which(command[0]) is None:
            print(f"{shell}: not installed, syntax not checked")
            continue
        path = tmp / f"conc-probe.{shell}"
        path.write_text(text)
        result = subprocess.run([*command, str(path)], capture_output=True, text=True)
        check(result.returncode == 0 and result.stderr == "", f"{shell} -n: {result.stderr!r}")
        print(f"{shell} -n: {'ok' if result.returncode == 0 else 'failed'}")


def test_bad_shell():
    result = subprocess.run([BINARY, "completions", "bsh"], capture_output=True, text=True)
    check(result.returncode == 2 and result.stdout == "", f"completions bsh: exit {result.returncode}")
    check(result.stderr.startswith("conc-probe: error: ") and "bash" in result.stderr and
          result.stderr.count("\n") == 1, f"completions bsh: {result.stderr!r}")


def main():
    with tempfile.TemporaryDirectory(prefix="conc-probe-completions-") as tmp:
        test_bash(Path(tmp))
        test_other_shells(Path(tmp))
    test_bad_shell()
    print(f"completions: {'ok' if not FAILURES else f'{len(FAILURES)} failed'}")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
