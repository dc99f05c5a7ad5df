#!/usr/bin/python3
"""Asks a window to close as a window manager's close button does: an ICCCM WM_DELETE_WINDOW
message, which GTK turns into the window's delete-event (Tauri's CloseRequested). The tests' X
server has no window manager to send it.

    close-window.py WINDOW_ID

Uses libX11 through ctypes: nothing beyond the system's python3 and the X library GTK already needs.
Exit status: 0 once the message is sent; 1 when the display cannot be opened; 2 for bad arguments.
"""

import ctypes
import ctypes.util
import sys

CLIENT_MESSAGE = 33  # X.h: ClientMessage
NO_EVENT_MASK = 0


class XClientMessageEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    ]


class XEvent(ctypes.Union):
    # Xlib's XEvent is a union padded to 24 longs.
    _fields_ = [("xclient", XClientMessageEvent), ("pad", ctypes.c_long * 24)]


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        window = int(sys.argv[1], 0)
    except ValueError:
        print(f"not a window id: {sys.argv[1]}", file=sys.stderr)
        return 2
    xlib = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XInternAtom.restype = ctypes.c_ulong
    xlib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    xlib.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.POINTER(XEvent)]
    xlib.XFlush.argtypes = [ctypes.c_void_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]

    display = xlib.XOpenDisplay(None)
    if not display:
        print("cannot open the display", file=sys.stderr)
        return 1
    event = XEvent()
    message = event.xclient
    message.type = CLIENT_MESSAGE
    message.window = window
    message.message_type = xlib.XInternAtom(display, b"WM_PROTOCOLS", 0)
    message.format = 32
    message.data[0] = xlib.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
    message.data[1] = 0  # CurrentTime
    xlib.XSendEvent(display, window, 0, NO_EVENT_MASK, ctypes.byref(event))
    xlib.XFlush(display)
    xlib.XCloseDisplay(display)
    return 0


if __name__ == "__main__":
    sys.exit(main())
