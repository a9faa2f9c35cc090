#!/usr/bin/python3
# test-tuning-atspi.py: the Performance and Limits section as a screen
# reader meets it
#
# Copyright 2026 The Lodge authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-tuning-atspi.py DETAILS_UI_PROGRAM
#
# Opens the details of a test-driver machine on its Performance section
# (test-details-ui's LODGE_DETAILS_SHOW mode) and reads the accessibility
# tree: every spin button has a name (its row's title) and the section's
# have their unit as the description; the priority is a named combo box;
# each Apply button says what it applies. Speaks TAP.

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common'))
import lodge_atspi  # noqa: E402
from lodge_atspi import find_all, find_app, tap, wait_for  # noqa: E402

lodge_atspi.check_session()
import pyatspi  # noqa: E402

WAIT_S = 30  # bounds a hang; not a timing assertion


def nodes(app, role):
    return find_all(app, role=role)


env = dict(os.environ, LODGE_DETAILS_SHOW='performance', LODGE_DETAILS_EXPAND='Exact Values')
proc = subprocess.Popen([sys.argv[1]], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    app = wait_for(lambda: find_app(proc.pid), timeout=WAIT_S)
    if app is None:
        print('Bail out! the details window never appeared on the accessibility bus')
        sys.exit(1)

    def loaded():
        names = [s.name for s in nodes(app, pyatspi.ROLE_SPIN_BUTTON)]
        return names if 'Disk vda' in names and 'Inbound Average' in names else None

    names = wait_for(loaded, timeout=WAIT_S) or []
    spins = nodes(app, pyatspi.ROLE_SPIN_BUTTON)
    unnamed = [s for s in spins if not s.name]
    tap(len(spins) >= 20 and not unnamed, 'all %d spin buttons have names' % len(spins),
        '%d unnamed' % len(unnamed))
    wanted = ['Processor Cap', 'Weight', 'Processors Now', 'Processors at Most', 'Memory Limit',
              'Memory Now', 'Memory at Most', 'Soft Limit', 'Memory and Swap Limit', 'Disk vda',
              'Total Rate', 'Read Operations', 'Inbound Average', 'Outbound Burst']
    missing = [w for w in wanted if w not in names]
    tap(not missing, 'each control is named by its row', 'missing: ' + ', '.join(missing))
    units = {s.name: s.description for s in spins}
    tap(units.get('Processor Cap') == '%' and units.get('Memory Limit') == 'MiB'
        and units.get('Disk vda') == 'MiB/s' and units.get('Inbound Burst') == 'KiB',
        'the unit is the description', repr({k: units.get(k) for k in ('Processor Cap', 'Memory Limit', 'Disk vda', 'Inbound Burst')}))
    combos = [c.name for c in nodes(app, pyatspi.ROLE_COMBO_BOX)]
    tap('Priority' in combos, 'the priority is a named combo box', repr(combos))
    buttons = [b.name for b in nodes(app, pyatspi.ROLE_PUSH_BUTTON)]
    applies = [b for b in buttons if b.startswith('Apply the ')]
    tap(len(applies) == 4, 'each Apply button says what it applies', repr(applies))
finally:
    proc.terminate()
    proc.wait()

print('1..%d' % lodge_atspi.tests_run)
sys.exit(1 if lodge_atspi.failures else 0)
