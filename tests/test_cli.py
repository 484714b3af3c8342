from click.testing import CliRunner

from searchapp.cli import main


def test_the_group_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("parse", "index", "search", "serve"):
        assert command in result.output


def test_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(main, ["frobnicate"])
    assert result.exit_code == 2
    assert "没有命令" in result.output
