#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The manual pages in man/ against the code, both ways (as git's t0450 does for its docs).

    check_man_pages.py LEURA_BINARY SOURCE_DIR

From the built binary (`leura --help`, `leura help COMMAND [SUBCOMMAND]`, and each command's
`--help`, which must list the same options): every command and subcommand, and every option of
each. From the source: the keys the task, inventory and settings readers accept
(src/config/*.cpp: each `KeySet k_...` and the settings table) and the exit codes
(src/app/exit_code.hpp). Against the pages:

  - leura.1: `.It Cm` in COMMANDS is every command; `.It Fl` in OPTIONS is leura's own options;
    `.It N` in EXIT STATUS is every exit code.
  - leura-COMMAND.1 for each command: `.It Fl` in OPTIONS is the command's options (-h/--help
    left out); a command with subcommands lists them as `.It Cm` in COMMANDS and documents
    each one's options under `.Ss COMMAND SUBCOMMAND` in OPTIONS. Its EXIT STATUS holds only
    real exit codes.
  - leura-task.5, leura-inventory.5: `.It Ic` in the subsection a KeySet maps to (KEYSETS
    below) is exactly that KeySet's keys; a KeySet with no mapping fails, so a new table of
    keys cannot go undocumented.
  - leura-config.5: `.It Ic` in DESCRIPTION is every setting, and ENVIRONMENT has
    `.It Ev LEURA_<KEY>` for each (and no other LEURA_ variable but LEURA_HOME).
  - every page: `mandoc -Tlint -Wwarning` prints nothing; the sections every page needs are
    there; an `.Xr leura-*` names a page that exists; no page has a command the binary lacks,
    and none mentions the hidden `__complete` command.

PENDING names commands whose page may come before the command reaches this branch: when the
binary lacks one, its code-side checks are skipped (and said so); when it has it, it is checked
like any other.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

PENDING: set[str] = set()

# KeySet name in src/config/*.cpp -> (page, subsection title holding its keys as `.It Ic`).
KEYSETS = {
    "k_task_keys": ("leura-task.5", "Task keys"),
    "k_step_keys": ("leura-task.5", "Step keys"),
    "k_rollout_keys": ("leura-task.5", "Rollout keys"),
    "k_stage_keys": ("leura-task.5", "Stage keys"),
    "k_upload_keys": ("leura-task.5", "Upload keys"),
    "k_download_keys": ("leura-task.5", "Download keys"),
    "k_secret_keys": ("leura-task.5", "Secret keys"),
    "k_inventory_keys": ("leura-inventory.5", "Top-level keys"),
    "k_settings_keys": ("leura-inventory.5", "Connection settings"),
    "k_host_keys": ("leura-inventory.5", "Host keys"),
    "k_top_keys": ("leura-access.1", "Policy top-level keys"),
    "k_users_keys": ("leura-access.1", "Users keys"),
    "k_group_keys": ("leura-access.1", "Group keys"),
    "k_grant_keys": ("leura-access.1", "Grant keys"),
    "k_expect_top_keys": ("leura-access.1", "Expectations top-level keys"),
    "k_expect_keys": ("leura-access.1", "Expectation keys"),
    "k_schedules_top_keys": ("leura-schedule.1", "File top-level keys"),
    "k_schedule_keys": ("leura-schedule.1", "Schedule keys"),
    "k_monitor_keys": ("leura-monitor.1", "Monitor keys"),
    "k_check_keys": ("leura-monitor.1", "Check keys"),
    "k_trigger_keys": ("leura-monitor.1", "Trigger keys"),
    "k_flap_keys": ("leura-monitor.1", "Flap keys"),
    "k_reaction_keys": ("leura-monitor.1", "Reaction keys"),
    "k_escalation_keys": ("leura-monitor.1", "Escalation keys"),
    "k_mute_keys": ("leura-monitor.1", "Mute keys"),
}

SECTIONS_NEEDED = ["NAME", "SYNOPSIS", "DESCRIPTION", "ENVIRONMENT", "FILES", "EXIT STATUS",
                   "EXAMPLES", "SEE ALSO"]
HELP_FLAGS = {"-h", "--help"}

failures = []
notes = []


def fail(message):
    failures.append(message)


# ---- the binary ----

class Binary:
    def __init__(self, path):
        self.path = path
        self.home = tempfile.mkdtemp(prefix="leura-man-")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LEURA_")}
        self.env.update(HOME=self.home, LEURA_HOME=os.path.join(self.home, "data"),
                        XDG_CONFIG_HOME=os.path.join(self.home, "config"), NO_COLOR="1")
        self.calls = 0

    def run(self, *args):
        self.calls += 1
        p = subprocess.run([self.path, *args], capture_output=True, text=True, env=self.env,
                           timeout=30)
        return p.returncode, p.stdout, p.stderr

    def help(self, words):
        """Options and subcommands from `leura help WORDS...`, checked against `WORDS --help`."""
        rc, out, err = self.run("help", *words)
        if rc != 0:
            fail(f"`leura help {' '.join(words)}` exited {rc}: {err.strip()}")
            return set(), []
        parsed = parse_help(out)
        # `leura help --help` is `leura help`: the list of commands, not the help of `help`.
        if words and words != ["help"]:
            rc2, out2, err2 = self.run(*words, "--help")
            if rc2 != 0:
                fail(f"`leura {' '.join(words)} --help` exited {rc2}: {err2.strip()}")
            elif parse_help(out2) != parsed:
                fail(f"`leura help {' '.join(words)}` and `leura {' '.join(words)} --help` "
                     f"list different options or subcommands")
        return parsed

    def cleanup(self):
        shutil.rmtree(self.home, ignore_errors=True)


def parse_help(text):
    """(set of option names such as -i and --inventory, list of subcommand names)."""
    options, subcommands = set(), []
    section = None
    for line in text.splitlines():
        if re.match(r"^\S.*:$", line):
            section = line[:-1]
            continue
        if section == "Options":
            m = re.match(r"^  (-\S+)", line)
            if m:
                options.update(n for n in m.group(1).split(",") if n.startswith("-"))
        elif section == "Subcommands":
            m = re.match(r"^  (\S+)", line)
            if m:
                subcommands.append(m.group(1))
    return options, subcommands


# ---- the pages ----

class Page:
    """What the checks read from one mdoc page, by section (.Sh) and subsection (.Ss)."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            self.text = f.read()
        self.sections = []
        self.items = []  # (section, subsection, macro words of an .It line)
        self.xrefs = []  # (name, section)
        sh = ss = None
        for line in self.text.splitlines():
            words = line.split()
            if not words:
                continue
            if words[0] == ".Sh":
                sh, ss = " ".join(words[1:]), None
                self.sections.append(sh)
            elif words[0] == ".Ss":
                ss = " ".join(words[1:])
            elif words[0] == ".It":
                self.items.append((sh, ss, words[1:]))
            for i, w in enumerate(words[:-2]):
                if w == "Xr" or (i == 0 and w == ".Xr"):
                    self.xrefs.append((words[i + 1], words[i + 2]))

    def after(self, macro, section, subsection=None, any_subsection=False):
        """The word after each `macro` on the .It lines of `section` (and `subsection`)."""
        found = set()
        for sh, ss, words in self.items:
            if sh != section or (not any_subsection and ss != subsection):
                continue
            for i, w in enumerate(words[:-1]):
                if w == macro:
                    found.add(words[i + 1])
        return found

    def flags(self, subsection=None):
        """Options on the .It lines of OPTIONS: `Fl -inventory` is --inventory, `Fl i` -i."""
        return {"-" + w for w in self.after("Fl", "OPTIONS", subsection)}

    def subsections(self, section):
        return {ss for sh, ss, _ in self.items if sh == section and ss}

    def exit_codes(self):
        codes = set()
        for sh, _, words in self.items:
            if sh == "EXIT STATUS" and words and words[0].isdigit():
                codes.add(int(words[0]))
        return codes


def compare(what, in_code, in_pages):
    for name in sorted(in_code - in_pages):
        fail(f"{what}: {name} is in the code but not in the page")
    for name in sorted(in_pages - in_code):
        fail(f"{what}: {name} is in the page but not in the code")


def lint(pages):
    mandoc = shutil.which("mandoc")
    if not mandoc:
        fail("mandoc is not installed (tools/deps.sh installs it)")
        return
    for page in pages.values():
        p = subprocess.run([mandoc, "-Tlint", "-Wwarning", page.path], capture_output=True,
                           text=True)
        if p.returncode != 0 or p.stdout or p.stderr:
            fail(f"mandoc -Tlint -Wwarning {page.name}:\n{(p.stdout + p.stderr).rstrip()}")


# ---- the source ----

def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def exit_codes(src):
    text = read(os.path.join(src, "src/app/exit_code.hpp"))
    body = text[text.index("enum class ExitCode"):]
    body = body[:body.index("};")]
    return {int(v) for v in re.findall(r"^\s*\w+\s*=\s*(\d+)\s*,", body, re.M)}


def keysets(src):
    """{KeySet name: (file, supported keys)} from every src/config/*.cpp."""
    out = {}
    folder = os.path.join(src, "src/config")
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".cpp"):
            continue
        text = read(os.path.join(folder, name))
        for m in re.finditer(r"KeySet\s+(k_\w+)\s*\{\s*\{(.*?)\}", text, re.S):
            out[m.group(1)] = (name, set(re.findall(r'"([^"]+)"', m.group(2))))
    return out


def settings_keys(src):
    text = read(os.path.join(src, "src/config/settings.cpp"))
    body = text[text.index("setting_specs()"):]
    return set(re.findall(r'\{\s*"([a-z_]+)",\s*SettingKind::', body))


# ---- the checks ----

def check_commands(binary, pages):
    top_options, commands = binary.help([])
    leura = pages.get("leura.1")
    if not leura:
        fail("man/leura.1 is missing")
        return
    compare("leura.1 OPTIONS", top_options, leura.flags())
    known = set(commands)
    for name in sorted(PENDING - known):
        notes.append(f"PENDING: `{name}` is not a command of this binary; the code-side checks "
                     f"of leura-{name}.1 were skipped")
    for name in sorted(PENDING & known):
        notes.append(f"PENDING: `{name}` is a command of this binary now and was checked; it "
                     f"can leave PENDING in tests/man/check_man_pages.py")
    compare("leura.1 COMMANDS", known, leura.after("Cm", "COMMANDS") - (PENDING - known))
    pages_of_commands = {n[len("leura-"):-2] for n in pages
                         if n.startswith("leura-") and n.endswith(".1")}
    for name in sorted(pages_of_commands - known - PENDING):
        fail(f"leura-{name}.1: leura has no command `{name}`")
    for command in commands:
        page = pages.get(f"leura-{command}.1")
        if not page:
            fail(f"command `{command}` has no page man/leura-{command}.1")
            continue
        options, subcommands = binary.help([command])
        options -= HELP_FLAGS
        compare(f"{page.name} OPTIONS (leura {command})", options, page.flags())
        has_options = bool(options)
        if subcommands:
            compare(f"{page.name} COMMANDS (leura {command})", set(subcommands),
                    page.after("Cm", "COMMANDS"))
            titles = set()
            for sub in subcommands:
                sub_options, _ = binary.help([command, sub])
                sub_options -= HELP_FLAGS
                title = f"{command} {sub}"
                if sub_options:
                    titles.add(title)
                    has_options = True
                compare(f"{page.name} OPTIONS, .Ss {title}", sub_options, page.flags(title))
            for extra in sorted(page.subsections("OPTIONS") - titles):
                fail(f"{page.name}: OPTIONS has `.Ss {extra}`, which names no subcommand "
                     f"with options")
        elif page.subsections("OPTIONS"):
            fail(f"{page.name}: OPTIONS has subsections but `leura {command}` has no "
                 f"subcommands")
        if has_options and "OPTIONS" not in page.sections:
            fail(f"{page.name}: no OPTIONS section, but `leura {command}` has options")
        if not has_options and "OPTIONS" in page.sections:
            fail(f"{page.name}: an OPTIONS section, but `leura {command}` has no options")


def check_exit_codes(src, pages):
    codes = exit_codes(src)
    if "leura.1" in pages:
        compare("leura.1 EXIT STATUS", codes, pages["leura.1"].exit_codes())
    for page in pages.values():
        listed = page.exit_codes()
        for code in sorted(listed - codes):
            fail(f"{page.name} EXIT STATUS: {code} is not an exit code of leura")
        if page.name.endswith(".1") and not listed:
            fail(f"{page.name} EXIT STATUS: lists no exit code as `.It N`")


def check_keys(src, pages):
    for name, (file, keys) in keysets(src).items():
        if name not in KEYSETS:
            fail(f"src/config/{file}: KeySet {name} is documented nowhere (add it to a man page "
                 f"and to KEYSETS in tests/man/check_man_pages.py)")
            continue
        page_name, title = KEYSETS[name]
        page = pages.get(page_name)
        if not page:
            fail(f"man/{page_name} is missing")
            continue
        if not any(ss == title for _, ss, _ in page.items):
            fail(f"{page_name}: no `.Ss {title}` with the keys of {name} ({file})")
            continue
        found = set()
        for sh, ss, words in page.items:
            if ss == title and words[:1] == ["Ic"] and len(words) > 1:
                found.add(words[1])
        compare(f"{page_name}, .Ss {title} ({name} in src/config/{file})", keys, found)
    for name in set(KEYSETS) - set(keysets(src)):
        fail(f"KEYSETS in tests/man/check_man_pages.py names {name}, which src/config lacks")

    page = pages.get("leura-config.5")
    if not page:
        fail("man/leura-config.5 is missing")
        return
    keys = settings_keys(src)
    if not keys:
        fail("no settings found in src/config/settings.cpp (has the table changed shape?)")
    compare("leura-config.5 DESCRIPTION (settings in src/config/settings.cpp)", keys,
            page.after("Ic", "DESCRIPTION", any_subsection=True))
    env = {"LEURA_" + k.upper() for k in keys}
    documented = {v for v in page.after("Ev", "ENVIRONMENT") if v.startswith("LEURA_")}
    compare("leura-config.5 ENVIRONMENT (LEURA_<KEY> of each setting)", env,
            documented - {"LEURA_HOME"})


def check_pages(pages):
    for page in pages.values():
        for section in SECTIONS_NEEDED:
            if section not in page.sections:
                fail(f"{page.name}: no {section} section")
        for name, sec in sorted(set(page.xrefs)):
            sec = sec.rstrip(",.;:")
            if name.startswith("leura") and f"{name}.{sec}" not in pages:
                fail(f"{page.name}: .Xr {name} {sec} names no page in man/")
        if "__complete" in page.text:
            fail(f"{page.name}: mentions the hidden __complete command")


def main():
    if len(sys.argv) != 3:
        print(__doc__.splitlines()[2].strip(), file=sys.stderr)
        return 2
    started = time.monotonic()
    binary = Binary(os.path.abspath(sys.argv[1]))
    src = os.path.abspath(sys.argv[2])
    man = os.path.join(src, "man")
    pages = {n: Page(os.path.join(man, n)) for n in sorted(os.listdir(man))
             if re.fullmatch(r"leura[\w-]*\.[15]", n)}
    try:
        lint(pages)
        check_pages(pages)
        check_commands(binary, pages)
        check_exit_codes(src, pages)
        check_keys(src, pages)
    finally:
        binary.cleanup()
    for n in notes:
        print(n)
    took = time.monotonic() - started
    if failures:
        for f in failures:
            print("FAIL: " + f)
        print(f"man.pages: {len(failures)} problem(s) in {len(pages)} pages ({took:.1f}s)")
        return 1
    print(f"man.pages: {len(pages)} pages agree with the code ({binary.calls} leura calls, "
          f"{took:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
