"""Settings: theme, default speed, colour. Changes apply at once and are saved."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, RadioButton, RadioSet, Select, Static, Switch

from playground.tui.screens.base import GameMixin
from playground.tui.stepper import SPEEDS


class SettingsScreen(GameMixin, ModalScreen[None]):
    """Tab moves between settings; Esc closes."""

    BINDINGS = [Binding("escape,f2", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        settings = self.game.settings
        themes = sorted(self.app.available_themes)
        with VerticalScroll(classes="dialog", id="settings"):
            yield Static("[b]SETTINGS[/] [dim]saved with your progress[/]")
            with Horizontal(classes="setting-row"):
                yield Label("Theme", classes="setting-label")
                yield Select([(name, name) for name in themes], value=self.app.theme,
                             allow_blank=False, id="setting-theme", compact=True)
            with Horizontal(classes="setting-row"):
                yield Label("Speed at start", classes="setting-label")
                with RadioSet(id="setting-speed", compact=True):
                    for speed in SPEEDS:
                        yield RadioButton(f"{speed}x", value=speed == settings.speed,
                                          id=f"speed-{speed}")
            with Horizontal(classes="setting-row"):
                yield Label("Colour", classes="setting-label")
                yield Switch(value=settings.colour, id="setting-colour")
                yield Label("[dim]off: greys; symbols still tell[/]")
            yield Static("[b reverse] Esc [/] close")

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "setting-theme" and isinstance(event.value, str):
            self.app.theme = event.value
            settings = self.game.settings
            settings.theme = event.value
            self.game.save_settings(settings)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        speed = int(str(event.pressed.id).removeprefix("speed-"))
        settings = self.game.settings
        settings.speed = speed
        self.game.save_settings(settings)

    def on_switch_changed(self, event: Switch.Changed) -> None:
        settings = self.game.settings
        settings.colour = event.value
        self.game.save_settings(settings)
        self.game.set_colour(event.value)
