"""Image paths of a case: where they may point (inside the unit folder) and what they name.

A path is refused before any file is opened when it is a URL, absolute, uses
backslashes or "%" escapes, or climbs out with "../"; then every part is
checked for symlinks and the file's content goes to the image pipeline.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path


def resolve_image(unit_root: Path, value: str) -> Path:
    """The file an image path of a case names (after check_image_path passed)."""
    return unit_root / posixpath.normpath(value)


def check_image_path(unit_root: Path, value: str) -> str | None:
    """Why an image path cannot be used, or None. Paths stay inside the unit folder."""
    folder = f"cases/{unit_root.name}/"
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://|^//|^(data|javascript|file):", value, re.I):
        return "不能引用网址或其他来源的图片：请把图片文件放进本单位的 images 文件夹，这里写 images/文件名。"
    if value.startswith(("/", "\\")) or re.match(r"^[a-zA-Z]:", value):
        return "要写相对于本案例文件的路径，例如 images/photo1.jpg，不能写以「/」或盘符（如 C:）开头的绝对路径。"
    if "\\" in value:
        return "路径要用「/」分隔，不能用「\\」：例如 images/photo1.jpg。"
    if len(value) > 200 or "\0" in value:
        return "找不到图片文件：路径太长或含有不允许的字符，请使用简短的文件名，例如 images/photo1.jpg。"
    if re.search(r"%[0-9a-fA-F]{2}", value):
        return "路径中不能有「%」编码：请直接写文件名，例如 images/照片1.jpg。"
    norm = posixpath.normpath(value)
    if norm == ".." or norm.startswith("../") or norm == ".":
        return f"图片必须放在本单位文件夹（{folder}）里，不能用「../」跳到外面。"
    try:
        return _check_image_file(unit_root, folder, norm)
    except OSError as e:  # a name the file system refuses (too long, bad bytes)
        return f"找不到图片文件 {folder}{norm}：{e.strerror or '无法访问'}。"


def _check_image_file(unit_root: Path, folder: str, norm: str) -> str | None:
    current = unit_root
    for part in norm.split("/"):
        current = current / part
        if current.is_symlink():
            return f"「{folder}{norm}」中的「{part}」是符号链接：请提交真实的图片文件。"
    if not current.exists():
        hint = ""
        parent = current.parent
        if parent.is_dir():
            same = [n for n in os.listdir(parent) if n.lower() == current.name.lower()]
            if same:
                hint = f"文件夹里有「{same[0]}」，文件名的大小写必须完全一致。"
        return f"找不到图片文件 {folder}{norm}：{hint or '请检查文件名和扩展名，并确认图片已一起提交。'}"
    if not current.is_file():
        return f"{folder}{norm} 是文件夹，不是图片文件。"
    twins = [
        n
        for n in os.listdir(current.parent)
        if n.lower() == current.name.lower() and n != current.name
    ]
    if twins:
        return f"文件夹中还有只差大小写的「{twins[0]}」：在 Windows 上两者会冲突，请删除或改名其中一个。"
    from . import images  # content checks are the image pipeline's job

    problem = images.inspect_image(current)
    return f"图片 {folder}{norm} {problem.rstrip('。')}。" if problem else None
