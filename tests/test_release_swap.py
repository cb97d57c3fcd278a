"""The release swap: whatever kills a build, dist/ is the complete old release or the complete new one;
what killed builds leave behind goes with the next build; folders honour the user's umask."""

from __future__ import annotations

import hashlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import make_project
from wsis_kg.release import remove_stale, staged_release

ROOT = Path(__file__).resolve().parents[1]
WSIS_KG = [sys.executable, "-c", "from wsis_kg.cli import main; main()"]


def manifest_files(dist: Path) -> dict[str, str]:
    return dict(json.loads((dist / "reports" / "manifest.json").read_text())["files"])


def assert_complete(dist: Path) -> dict[str, str]:
    """Every file the manifest lists is there with its SHA-256; return the manifest's files."""
    assert dist.is_dir(), f"{dist} is missing: {sorted(p.name for p in dist.parent.iterdir())}"
    files = manifest_files(dist)
    assert files
    for name, digest in files.items():
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest, name
    return files


def leftovers(dist: Path) -> list[str]:
    """Entries beside dist/ other than dist/ itself and the one release folder it points to."""
    keep = {dist.name}
    if dist.is_symlink():
        keep.add(os.readlink(dist))
    return sorted(p.name for p in dist.parent.iterdir() if p.name.startswith((dist.name, f".{dist.name}"))
                  and p.name not in keep)


def write_fake(folder: Path, content: str) -> None:
    (folder / "reports").mkdir()
    (folder / "data.txt").write_text(content * 1000)
    files = {"data.txt": hashlib.sha256((folder / "data.txt").read_bytes()).hexdigest()}
    (folder / "reports" / "manifest.json").write_text(json.dumps({"files": files}))


# ---------------------------------------------------------------- the swap itself


def test_dist_is_a_link_switched_to_each_new_release(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    targets = []
    for content in ("one", "two", "three"):
        with staged_release(dist) as folder:
            write_fake(folder, content)
        assert dist.is_symlink() and (dist / "data.txt").read_text().startswith(content)
        targets.append(os.readlink(dist))
        assert_complete(dist)
        assert leftovers(dist) == []
    assert len(set(targets)) == 3 and all("/" not in t for t in targets)  # relative: the project can move


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_release_folders_honour_the_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        with staged_release(tmp_path / "dist") as folder:
            write_fake(folder, "x")
    finally:
        os.umask(old)
    target = (tmp_path / "dist").resolve()
    assert target.stat().st_mode & 0o777 == 0o777 & ~umask
    assert (target / "reports").stat().st_mode & 0o777 == 0o777 & ~umask


def test_a_real_dist_folder_is_replaced_by_the_first_build(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "reports").mkdir(parents=True)
    (dist / "old.txt").write_text("a release written before dist/ was a link")
    with staged_release(dist) as folder:
        write_fake(folder, "new")
    assert dist.is_symlink() and not (dist / "old.txt").exists()
    assert_complete(dist)
    assert leftovers(dist) == []


def test_a_failed_build_leaves_the_release_and_no_staging(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    with staged_release(dist) as folder:
        write_fake(folder, "good")
    before = os.readlink(dist)
    with pytest.raises(RuntimeError), staged_release(dist) as folder:
        write_fake(folder, "bad")
        raise RuntimeError("a step failed")
    assert os.readlink(dist) == before and (dist / "data.txt").read_text().startswith("good")
    assert leftovers(dist) == []


def test_stale_folders_of_dead_builds_go_and_those_of_running_builds_stay(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    with staged_release(dist) as folder:
        write_fake(folder, "current")
    dead = 2**22 + 12345  # above the kernel's largest process id: no process has it
    live = os.getppid()
    stale = [f".dist-new-{dead}-ab12cd34", f"dist.29990101T000000000000000-{dead}", f".dist-old-{dead}-0f0f0f0f",
             f"dist.20250101T000000000000000-{live}"]  # older than the current release: replaced by it
    # a running build's staging, and the release it is about to link
    running = [f".dist-new-{live}-ab12cd34", f"dist.29990101T000000000000000-{live}"]
    for name in stale + running:
        (tmp_path / name / "reports").mkdir(parents=True)
    os.symlink("nowhere", tmp_path / f".dist-link-{dead}-00000000")
    (tmp_path / "dist.txt").write_text("not ours")
    removed = remove_stale(dist)
    assert sorted(p.name for p in removed) == sorted([*stale, f".dist-link-{dead}-00000000"])
    assert sorted(leftovers(dist)) == sorted([*running, "dist.txt"])
    assert_complete(dist)


# ---------------------------------------------------------------- kills at every step of the swap

KILL_AT = textwrap.dedent("""
    import hashlib, json, os, shutil, signal, sys
    from pathlib import Path
    from wsis_kg.release import staged_release

    dist, content, kill_at = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    calls, armed = 0, False

    def count():
        global calls
        if armed:
            calls += 1
            if calls == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    def arm(fn):
        def call(*args, **kwargs):
            count()
            result = fn(*args, **kwargs)
            count()
            return result
        return call

    for name in ("mkdir", "rename", "replace", "symlink", "unlink", "rmdir"):
        setattr(os, name, arm(getattr(os, name)))
    shutil.rmtree = arm(shutil.rmtree)
    with staged_release(dist) as folder:
        (folder / "reports").mkdir()
        (folder / "data.txt").write_text(content * 1000)
        files = {"data.txt": hashlib.sha256((folder / "data.txt").read_bytes()).hexdigest()}
        (folder / "reports" / "manifest.json").write_text(json.dumps({"files": files}))
        armed = True  # the release is written: from here on, the swap
""")


def old_release(dist: Path, real_folder: bool) -> None:
    """dist/ holding a complete release: a link to one, or a real folder as older versions wrote."""
    with staged_release(dist) as folder:
        write_fake(folder, "old")
    if real_folder:
        target = dist.resolve()
        dist.unlink()
        target.rename(dist)


@pytest.mark.parametrize("real_folder", [False, True], ids=["link", "real-folder"])
def test_a_kill_before_or_after_each_step_of_the_swap_keeps_dist_complete(tmp_path: Path,
                                                                          real_folder: bool) -> None:
    """SIGKILL before and after each file-system call the swap makes, one build per moment."""
    dist = tmp_path / "dist"
    for kill_at in range(1, 100):
        old_release(dist, real_folder)
        run = subprocess.run([sys.executable, "-c", KILL_AT, str(dist), "new", str(kill_at)], timeout=60,
                             capture_output=True, text=True)
        assert run.returncode in (0, -signal.SIGKILL), run.stderr
        assert_complete(dist)
        if run.returncode == 0:
            assert (dist / "data.txt").read_text().startswith("new")
            assert leftovers(dist) == []
            break
        assert (dist / "data.txt").read_text()[:3] in ("old", "new"), kill_at
        # the next build clears what the killed one left
        with staged_release(dist) as folder:
            write_fake(folder, "old")
        assert leftovers(dist) == [], kill_at
        shutil.rmtree(dist.resolve())
        dist.unlink()
    else:
        pytest.fail("the swap never completed")
    assert kill_at > 4  # interrupted at several moments before it completed


# ---------------------------------------------------------------- kills during real builds


def build_command(project: Path) -> list[str]:
    return [*WSIS_KG, "--project", str(project), "build", "--no-reason"]


@pytest.mark.slow
def test_kill_9_at_many_moments_of_a_real_build(tmp_path: Path) -> None:
    """A real `wsis-kg build` of the tiny project, SIGKILLed at 16 moments spread over the whole build and
    over its release step; after each kill dist/ is a complete release, and the next build clears up."""
    project = make_project(tmp_path / "project")
    dist = project.dist
    t0 = time.perf_counter()
    first = subprocess.run(build_command(project.root), capture_output=True, text=True, timeout=300)
    total = time.perf_counter() - t0
    assert first.returncode == 0, first.stderr
    release = float(next(line.split()[0] for line in first.stderr.splitlines() if line.endswith(" s  release")))
    expected = assert_complete(dist)
    kills = 16
    hit_release = 0
    for i in range(kills):
        proc = subprocess.Popen(build_command(project.root), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
        assert proc.stderr is not None
        if i % 2 == 0:  # over the whole run, start-up included
            time.sleep(total * (i + 0.5) / kills)
        else:  # inside the release step, from the moment the build says it starts
            deadline = time.monotonic() + 120
            seen = b""
            while b"release ..." not in seen and time.monotonic() < deadline and proc.poll() is None:
                ready, _, _ = select.select([proc.stderr], [], [], 0.5)
                if ready:
                    seen += os.read(proc.stderr.fileno(), 4096)
            time.sleep(release * (i / kills))
            hit_release += b"release ..." in seen
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        proc.stderr.close()
        assert manifest_files(dist).keys() == expected.keys()
        assert_complete(dist)
    assert hit_release == kills // 2
    final = subprocess.run(build_command(project.root), capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert_complete(dist)
    assert leftovers(dist) == []
    assert (dist.resolve().stat().st_mode & 0o777) == 0o777 & ~current_umask()


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
