#!/usr/bin/python3
# test-ui-atspi.py: Lodge end to end through the accessibility tree
#
# Copyright 2026 The Lodge authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-ui-atspi.py LODGE_BINARY GEN_MACHINES_PY
#
# Starts the built lodge binary on libvirt's test driver and drives it the way
# a screen reader user would: finds the window by its title, checks that every
# button has an accessible name, finds the machine by its name, switches the
# view, and pauses and resumes the machine through its menu, reading the new
# state back from the accessible tree. Speaks TAP.

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common'))
import lodge_atspi  # noqa: E402
from lodge_atspi import WAIT_S, find_all, find_app, tap, walk, wait_for  # noqa: E402

lodge_atspi.check_session()
import pyatspi  # noqa: E402

lodge = sys.argv[1]
gen_machines = sys.argv[2]


def showing(node):
    # GTK 4.8 marks every realized widget "visible" and never "showing"
    # below the frame, hidden stack pages included: nothing to filter on.
    return True


def has_state(node, state):
    try:
        return node.getState().contains(state)
    except Exception:
        return False


def with_action(nodes):
    for node in nodes:
        try:
            if node.queryAction().nActions > 0:
                return node
        except Exception:
            continue
    return None


def find_frame(app, title):
    for node in walk(app):
        if node.getRole() in (pyatspi.ROLE_FRAME, pyatspi.ROLE_WINDOW) and node.name == title:
            return node
    return None


def find(root, role=None, name=None, only_showing=True):
    for node in find_all(root, role=role, name=name):
        if not only_showing or showing(node):
            return node
    return None


def click(node):
    action = node.queryAction()
    for i in range(action.nActions):
        if action.getName(i) in ('click', 'press', 'activate'):
            return action.doAction(i)
    return action.doAction(0)


def main():
    print('1..9')
    env = dict(os.environ)
    env.setdefault('GSETTINGS_BACKEND', 'memory')
    env.pop('GTK_A11Y', None)
    proc = subprocess.Popen([lodge, '--connect', 'test:///default'], env=env)
    try:
        run(proc)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 1 if lodge_atspi.failures else 0


def run(proc):
    app = wait_for(lambda: proc.poll() is None and find_app(proc.pid), 'application on the bus')
    tap(app is not None, 'lodge appears on the accessibility bus',
        'lodge exited with status %s (see its stderr above)' % proc.poll()
        if proc.poll() is not None else '')
    if app is None:
        return

    frame = wait_for(lambda: find_frame(app, 'Lodge'), 'window')
    tap(frame is not None, 'the window is found by its title "Lodge"')
    if frame is None:
        return

    # The machine of test:///default is listed by its name.
    item = wait_for(lambda: find(frame, name='test'), 'machine item')
    tap(item is not None, 'the machine "test" is shown by name')

    # Every button that shows has a name a screen reader can say.
    unnamed = []
    buttons = 0
    for node in walk(frame):
        try:
            role = node.getRole()
        except Exception:
            continue
        if role in (pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON) and showing(node):
            buttons += 1
            if not (node.name or '').strip():
                path = []
                parent = node.parent
                while parent is not None and len(path) < 4:
                    path.append('%s "%s"' % (parent.getRoleName(), parent.name))
                    parent = parent.parent
                unnamed.append(' < '.join(path))
    tap(buttons >= 5 and not unnamed,
        'all %d buttons have accessible names' % buttons,
        '\n'.join('unnamed button in ' + u for u in unnamed))

    # Switch to the list view with its button, and back: the buttons are
    # toggles whose "pressed" state follows the view.
    list_button = with_action(find_all(frame, name='List View'))
    grid_button = with_action(find_all(frame, name='Grid View'))
    ok = False
    if list_button is not None and grid_button is not None:
        click(list_button)
        ok = wait_for(lambda: has_state(list_button, pyatspi.STATE_PRESSED) and
                      not has_state(grid_button, pyatspi.STATE_PRESSED), 'list view') is not None
        click(grid_button)
        ok = ok and wait_for(lambda: has_state(grid_button, pyatspi.STATE_PRESSED),
                             'grid view') is not None
    tap(ok, 'the List View and Grid View buttons switch the view')

    # Select the machine with a click on its item, then pause it from the
    # header bar's machine menu; the new state shows in the tree.
    item = find(frame, role=pyatspi.ROLE_PANEL, name='test')
    selected = False
    if item is not None:
        # Without a window manager the window sits at 0,0, so window
        # coordinates are screen coordinates.
        extents = item.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        pyatspi.Registry.generateMouseEvent(extents.x + extents.width // 2,
                                            extents.y + extents.height // 2, 'b1c')
        # The first "Machine Menu" is the library's (the second one is on
        # the machine page); it is sensitive once a machine is selected.
        menu_button = wait_for(lambda: [b for b in find_all(frame, name='Machine Menu')
                                        if with_action([b]) is not None and
                                        has_state(b, pyatspi.STATE_SENSITIVE)][0] ==
                               with_action(find_all(frame, name='Machine Menu')) and
                               with_action(find_all(frame, name='Machine Menu')),
                               'machine menu')
        selected = menu_button is not None

    def state_label(text):
        # the status line reads "● Paused  Unknown system"
        for node in find_all(frame, role=pyatspi.ROLE_LABEL):
            if text in (node.name or '').split():
                return node
        return None

    def menu_item(name):
        return wait_for(lambda: [n for n in find_all(app, role=pyatspi.ROLE_MENU_ITEM, name=name)][0],
                        name)

    paused = False
    if selected:
        click(menu_button)
        pause = menu_item('Pause')
        if pause is not None:
            click(pause)
            paused = wait_for(lambda: state_label('Paused'), 'state Paused') is not None
    if not paused and os.environ.get('LODGE_TEST_SCREENSHOT'):
        os.system('import -window root ' + os.environ['LODGE_TEST_SCREENSHOT'])
    tap(paused, 'Pause from the machine menu pauses the selected machine',
        'selected=%s; labels: %s' % (selected, [n.name for n in find_all(frame, role=pyatspi.ROLE_LABEL)][:30]))

    resumed = False
    if paused:
        click(menu_button)
        resume = menu_item('Resume')
        if resume is not None:
            click(resume)
            resumed = wait_for(lambda: state_label('Running') and not state_label('Paused'),
                               'state Running') is not None
    tap(resumed, 'Resume from the machine menu resumes it')

    # A right click on the item opens its own context menu.
    opens_before = len(find_all(app, role=pyatspi.ROLE_MENU_ITEM, name='Open'))
    context = False
    if item is not None:
        extents = item.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        pyatspi.Registry.generateMouseEvent(extents.x + extents.width // 2,
                                            extents.y + extents.height // 2, 'b3c')
        context = wait_for(lambda: len(find_all(app, role=pyatspi.ROLE_MENU_ITEM, name='Open'))
                           > opens_before, 'context menu') is not None
        pyatspi.Registry.generateKeyboardEvent(9, None, pyatspi.KEY_PRESSRELEASE)  # Escape
    tap(context, 'a right click on the machine opens its context menu')

    # A second launch with a machine name goes to the running instance,
    # which opens that machine's page (the console page): its header bar's
    # title shows the name.
    named_before = len(find_all(frame, role=pyatspi.ROLE_LABEL, name='test'))
    second = subprocess.run([lodge, '--connect', 'test:///default', 'test'],
                            env=dict(os.environ), timeout=WAIT_S,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    opened = second.returncode == 0 and wait_for(
        lambda: len(find_all(frame, role=pyatspi.ROLE_LABEL, name='test')) >= named_before + 1,
        'machine page') is not None
    tap(opened, 'a second "lodge test" opens the machine in the running window',
        'exit status %d' % second.returncode)


sys.exit(main())
