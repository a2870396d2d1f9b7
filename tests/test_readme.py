from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quick_start_lines() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    return [line for line in block.splitlines() if line.strip()]


def test_the_quick_start_is_exactly_two_lines_run_then_test():
    run_line, test_line = quick_start_lines()
    assert "canbao serve" in run_line and "pytest" in test_line


def test_ci_runs_exactly_the_readme_test_line():
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    # Besides the README's test line, .ci/run may only install system packages the tests need.
    commands = [line for line in ci_script.splitlines()
                if line and not line.startswith(("#", "set ", "cd ", "command -v ", "  || "))]
    assert commands == [quick_start_lines()[1]]
