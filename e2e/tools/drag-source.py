#!/usr/bin/python3
"""Plays a file manager for the end-to-end tests: a small undecorated GTK 3 window at a known place
that offers the given files as a drag source (target text/uri-list, file:// URIs percent-encoded, as
Nautilus and other file managers offer them). The test's pointer (xdotool) drags from the window
onto the app.

    drag-source.py [--x X] [--y Y] [--title TITLE] [--timeout SECONDS] FILE...

Prints one line per event on stdout ("ready X Y WIDTH HEIGHT", "drag-begin", "data-sent URI...",
"drag-failed RESULT", "drag-end"), for the driver to wait on and for a failed test's log.
Exit status: 0 when a drop target took the files; 1 when the drag ended without a drop; 2 for bad
arguments; 3 when no drag ended within the timeout.

Runs with the system's python3, which has GTK's bindings (Debian: python3-gi, gir1.2-gtk-3.0).
"""

import argparse
import os
import sys

import gi

gi.require_version("Gdk", "3.0")
gi.require_version("Gtk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402 (the versions must be chosen first)

URI_LIST = "text/uri-list"
EXIT_DROPPED, EXIT_NOT_DROPPED, EXIT_USAGE, EXIT_TIMEOUT = 0, 1, 2, 3  # 2 is argparse's too


def say(line):
    print(line, flush=True)


def main():
    parser = argparse.ArgumentParser(description="Offers files as a drag source, like a file manager.")
    parser.add_argument("--x", type=int, default=0, help="left edge of the window on the screen")
    parser.add_argument("--y", type=int, default=0, help="top edge of the window on the screen")
    parser.add_argument("--title", default="userdesk-e2e-drag-source",
                        help="window title, for xdotool search --name")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for a drag to end")
    parser.add_argument("files", nargs="+", help="files to offer")
    args = parser.parse_args()

    missing = [f for f in args.files if not os.path.exists(f)]
    if missing:
        print(f"drag-source: no such file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    # What a file manager sends: absolute file:// URIs, every byte outside the URI's unreserved
    # set percent-encoded (a space is %20, é is %C3%A9).
    uris = [GLib.filename_to_uri(os.path.abspath(f), None) for f in args.files]

    outcome = {"status": EXIT_TIMEOUT, "sent": False, "failed": False}

    window = Gtk.Window(title=args.title)
    # No window manager runs under Xvfb: the window goes exactly where it is put, without a frame.
    window.set_decorated(False)
    window.set_resizable(False)
    window.set_keep_above(True)
    window.move(args.x, args.y)

    # An event box: a label has no window of its own to take the button press.
    box = Gtk.EventBox()
    label = Gtk.Label(label=f"Drag {len(uris)} file{'s' if len(uris) != 1 else ''}")
    label.set_margin_start(16)
    label.set_margin_end(16)
    label.set_margin_top(12)
    label.set_margin_bottom(12)
    box.add(label)
    window.add(box)

    box.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [Gtk.TargetEntry.new(URI_LIST, 0, 0)],
                        Gdk.DragAction.COPY)

    def on_drag_begin(_widget, _context):
        say("drag-begin")

    def on_drag_data_get(_widget, _context, selection, _info, _time):
        selection.set_uris(uris)
        outcome["sent"] = True
        say("data-sent " + " ".join(uris))

    def on_drag_failed(_widget, _context, result):
        outcome["failed"] = True
        say(f"drag-failed {result.value_nick}")
        return False

    def on_drag_end(_widget, _context):
        # A target that asked for the data and did not refuse the drop has taken the files.
        outcome["status"] = EXIT_DROPPED if outcome["sent"] and not outcome["failed"] else EXIT_NOT_DROPPED
        say("drag-end")
        # Let GTK finish the XDND exchange (XdndFinished) before the window goes away.
        GLib.timeout_add(100, Gtk.main_quit)

    def on_timeout():
        say(f"timeout: no drag ended within {args.timeout:g} s")
        Gtk.main_quit()
        return GLib.SOURCE_REMOVE

    def on_mapped(_widget, _event):
        # Where the window really is, which the driver checks against where it asked for it.
        x, y = window.get_position()
        width, height = window.get_size()
        say(f"ready {x} {y} {width} {height}")
        return False

    box.connect("drag-begin", on_drag_begin)
    box.connect("drag-data-get", on_drag_data_get)
    box.connect("drag-failed", on_drag_failed)
    box.connect("drag-end", on_drag_end)
    window.connect("map-event", on_mapped)
    window.connect("destroy", Gtk.main_quit)
    GLib.timeout_add(int(args.timeout * 1000), on_timeout)

    window.show_all()
    Gtk.main()
    return outcome["status"]


if __name__ == "__main__":
    sys.exit(main())
