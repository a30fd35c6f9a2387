"""The campaign's index read alone (what the title screen counts wins with) agrees with the
loaded campaign, fails the same way on a bad index, and reads no level file."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.game.campaign import campaign_order, load_campaign
from playground.game.errors import LevelError


def test_the_index_lists_the_campaigns_levels_in_its_order() -> None:
    assert campaign_order() == load_campaign().order


def test_a_bad_index_fails_with_the_same_message_either_way(tmp_path: Path) -> None:
    (tmp_path / "campaign.toml").write_text('sandbox = "s"\norder = "first"\n')
    with pytest.raises(LevelError) as alone:
        campaign_order(tmp_path)
    with pytest.raises(LevelError) as loaded:
        load_campaign(tmp_path)
    assert str(alone.value) == str(loaded.value)
    assert "campaign.toml:2: order: must be a list of level ids" in str(alone.value)


def test_the_index_reads_no_level_file(tmp_path: Path) -> None:
    (tmp_path / "campaign.toml").write_text('order = ["first", "second"]\n')
    assert campaign_order(tmp_path) == ("first", "second")
    with pytest.raises(LevelError, match=r"no level file first\.toml"):
        load_campaign(tmp_path)
