// pixelpilot-guardian: releases every key and mouse button an agent holds the moment the agent
// goes away, for any reason (end, crash, out of memory, SIGKILL).
//
// The agent starts it with one end of a Unix socket pair as standard input and tells it of every
// press and release before (presses) or after (releases) sending them to the X server:
//     k <keycode> <1|0>      a key went down (1) or up (0)
//     b <button> <1|0>       a mouse button went down or up
// When standard input reaches end-of-file (the agent closed it, or the kernel did because the agent
// died), the guardian sends an XTest release for everything still held, syncs, and exits.
//
// Usage: pixelpilot-guardian DISPLAY
#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char keys[256];
static unsigned char buttons[32];

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: pixelpilot-guardian DISPLAY (started by PixelPilot agents; not for direct use)\n");
        return 2;
    }
    // The agent handles Ctrl+C and SIGTERM itself; the guardian lives until its input closes.
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    Display *d = XOpenDisplay(argv[1]);
    if (!d) {
        fprintf(stderr, "pixelpilot-guardian: cannot open display '%s'\n", argv[1]);
        return 1;
    }
    int ev, er, major, minor;
    if (!XTestQueryExtension(d, &ev, &er, &major, &minor)) {
        fprintf(stderr, "pixelpilot-guardian: display '%s' lacks XTEST\n", argv[1]);
        return 1;
    }
    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        char kind;
        int code, down;
        if (sscanf(line, "%c %d %d", &kind, &code, &down) != 3) continue;
        if (kind == 'k' && code > 0 && code < 256) keys[code] = (unsigned char)(down != 0);
        if (kind == 'b' && code > 0 && code < 32) buttons[code] = (unsigned char)(down != 0);
    }
    int released = 0;
    for (int c = 1; c < 256; c++) {
        if (keys[c]) { XTestFakeKeyEvent(d, (unsigned)c, False, 0); released++; }
    }
    for (int b = 1; b < 32; b++) {
        if (buttons[b]) { XTestFakeButtonEvent(d, (unsigned)b, False, 0); released++; }
    }
    XSync(d, False);
    XCloseDisplay(d);
    if (released) fprintf(stderr, "pixelpilot-guardian: the agent went away holding input; released %d key(s)/button(s)\n", released);
    return 0;
}
