"""The game window of a hosted game (``trilat host``): the projector's join panel, team status and countdown.

The overlay only reads the room (who has joined and submitted, never what) and is drawn over
the turn screen; the window's main loop holds the room's lock for each frame, so the web
server never changes the game while a frame is handled.
"""

from __future__ import annotations

import sys

import segno

from sim.room.state import Room
from ui import theme
from ui.app import EXIT_USAGE, NO_DISPLAY, App, has_display
from ui.scene import SceneId
from ui.scenes.common import footer_height, header_height
from ui.theme import Fonts, pygame
from ui.widgets import draw_text


def qr_surface(text: str, size: int) -> pygame.Surface:
    """A QR code of ``text`` as a square surface about ``size`` pixels wide (made offline by segno)."""
    matrix = [list(row) for row in segno.make(text, error="m").matrix]
    border = 2
    cells = len(matrix) + 2 * border
    cell = max(2, size // cells)
    surface = pygame.Surface((cells * cell, cells * cell))
    surface.fill(theme.WHITE)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                surface.fill(theme.TEXT, ((x + border) * cell, (y + border) * cell, cell, cell))
    return surface


def clock_text(seconds: float) -> str:
    """``7:05`` for 425 seconds."""
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


class RoomOverlay:
    """Draws the join panel (until every team has joined), then a small status box, on the turn screen.

    Args:
        app: the window.
        room: the hosted game.
        join_url: the address the QR code holds.
    """

    def __init__(self, app: App, room: Room, join_url: str) -> None:
        self.app, self.room, self.join_url = app, room, join_url
        self._qr: tuple[int, pygame.Surface] | None = None

    def _qr_of(self, size: int) -> pygame.Surface:
        if self._qr is None or self._qr[0] != size:
            self._qr = (size, qr_surface(self.join_url, size))
        return self._qr[1]

    def __call__(self, surface: pygame.Surface) -> None:
        top = self.app.stack.top
        if top is None or top.scene_id is not SceneId.TURN or self.app.match is not self.room.match:
            return
        status = self.room.status()
        if any(not team["joined"] for team in status):
            self._panel(surface, status)
        else:
            self._strip(surface, status)

    def _lines(self, status: list[dict]) -> list[tuple[str, tuple[int, int, int]]]:
        out = []
        for team in status:
            if not team["joined"]:
                state, color = "not joined yet", theme.MUTED
            elif team["submitted"]:
                state, color = "submitted", theme.GREEN
            else:
                state, color = "choosing", theme.ORANGE
            out.append((f"{team['name']}: {state}", color))
        return out

    def _timer(self) -> str:
        timer = self.room.timer()
        if self.room.match.finished:
            return ""
        left = clock_text(timer["left"])
        return f"Time left {left}" + ("" if timer["running"] else " (paused)") if timer["left"] > 0 else "Time is up"

    def _panel(self, surface: pygame.Surface, status: list[dict]) -> None:
        fonts: Fonts = self.app.fonts
        pad = fonts.s(12)
        width = fonts.s(300)
        qr = self._qr_of(fonts.s(210))
        rows = self._lines(status)
        url_lines = fonts.wrap(self.join_url, width - 2 * pad, "small")
        if "//127.0.0.1" in self.join_url:  # phones cannot reach this laptop's loopback address
            url_lines += fonts.wrap(
                "Only this computer can join: start with --lan for phones", width - 2 * pad, "small"
            )
        height = (
            pad * 2
            + fonts.line_height("large") * 2
            + qr.get_height()
            + len(url_lines) * fonts.line_height("small")
            + (len(rows) + 1) * fonts.line_height("body")
            + fonts.s(16)
        )
        area_top = header_height(fonts) + fonts.s(8)
        area_bottom = surface.get_height() - footer_height(fonts) - fonts.s(8)
        box = pygame.Rect(
            surface.get_width() - width - fonts.s(12), area_top, width, min(height, area_bottom - area_top)
        )
        pygame.draw.rect(surface, theme.PANEL, box, border_radius=fonts.s(10))
        pygame.draw.rect(surface, theme.SHADE, box, width=2, border_radius=fonts.s(10))
        x, y = box.left + pad, box.top + pad
        y = draw_text(surface, fonts, "Join on your phone", (x, y), "large", theme.TEXT, bold=True).bottom
        code = f"Code {self.room.join_code}"
        y = draw_text(surface, fonts, code, (x, y), "large", theme.BLUE, bold=True).bottom + fonts.s(4)
        surface.blit(qr, (box.centerx - qr.get_width() // 2, y))
        y += qr.get_height()
        for line in url_lines:
            y = draw_text(surface, fonts, line, (x, y), "small", theme.MUTED).bottom
        y += fonts.s(8)
        for text, color in rows:
            y = draw_text(surface, fonts, text, (x, y), "body", color, bold=True).bottom
        draw_text(surface, fonts, self._timer(), (x, y), "body", theme.TEXT)

    def _strip(self, surface: pygame.Surface, status: list[dict]) -> None:
        """Once every team has joined: a small box in the bottom-right corner (code, countdown, who submitted)."""
        fonts: Fonts = self.app.fonts
        head = f"Code {self.room.join_code}"
        timer = self._timer()
        rows = [(f"{head}   {timer}" if timer else head, theme.WHITE), *self._lines(status)]
        pad = fonts.s(10)
        width = max(fonts.width(text, "body", True) for text, _ in rows) + 2 * pad
        box = pygame.Rect(0, 0, width, len(rows) * fonts.line_height("body") + 2 * pad)
        box.bottomright = (surface.get_width() - fonts.s(14), surface.get_height() - footer_height(fonts) - fonts.s(14))
        pygame.draw.rect(surface, theme.SHADE, box, border_radius=fonts.s(8))
        y = box.top + pad
        for text, color in rows:
            shown = theme.mix(color, theme.WHITE, 0.35) if color != theme.WHITE else color
            y = draw_text(surface, fonts, text, (box.left + pad, y), "body", shown, True).bottom


def hosted_app(room: Room, join_url: str, *, window: bool = True, fullscreen: bool = False) -> App:
    """A window playing the hosted game: no hot-seat move screens, the room's lock per frame, the overlay."""
    app = App(window=window, fullscreen=fullscreen)
    app.remote = True
    app.lock = room.lock
    app.overlays.append(RoomOverlay(app, room, join_url))
    app.start_match(room.match)
    return app


def run_hosted(room: Room, join_url: str, *, fullscreen: bool = False) -> int:
    """Open the projector window on the hosted game until the facilitator quits; returns the exit code."""
    if not has_display():
        print(NO_DISPLAY.replace("trilat play SCENARIO --headless --auto", "trilat host SCENARIO --headless"))
        return EXIT_USAGE
    try:
        app = hosted_app(room, join_url, fullscreen=fullscreen)
    except pygame.error as exc:
        print(f"trilat host: cannot open a window ({exc}); add --headless to host without one", file=sys.stderr)
        return EXIT_USAGE
    try:
        app.run()
    except KeyboardInterrupt:
        return 130
    finally:
        pygame.display.quit()
    return 0
