#!/usr/bin/env bash
# Bring the case files of a pull request onto a checkout of its target branch.
#
#   bash .github/scripts/pr-cases.sh HEAD_DIR BASE_SHA HEAD_SHA
#
# Run from the checkout of the target branch (trusted: its code, mkdocs.yml,
# templates and workflows are what runs). HEAD_DIR is a clone holding the
# pull request's commits; nothing in it is executed. Only the changes the pull
# request makes under cases/ are applied, on top of the target branch as it
# is now, so the check and the preview show what merging would publish.
# Changes outside cases/ are listed for the reviewer and otherwise ignored.
set -euo pipefail

head_dir=$1 base_sha=$2 head_sha=$3
fork_point=$(git -C "$head_dir" merge-base "$base_sha" "$head_sha")

taken=0
while IFS= read -r -d '' status && IFS= read -r -d '' path; do
  case "$path" in
    cases/*) ;;
    *)
      # A file name may hold line breaks: escape them so that it cannot start
      # a workflow command line of its own.
      safe=${path//%/%25}
      safe=${safe//$'\r'/%0D}
      safe=${safe//$'\n'/%0A}
      if [ "${GITHUB_ACTIONS:-}" = true ]; then
        echo "::warning title=cases/ 以外的改动::${safe}：本合并请求修改了 cases/ 以外的文件，检查和预览没有使用这项修改，请维护人员单独审核。"
      else
        echo "注意：${safe}：本合并请求修改了 cases/ 以外的文件，检查和预览没有使用这项修改，请维护人员单独审核。"
      fi
      continue
      ;;
  esac
  rm -rf -- "$path"
  if [ "$status" != D ]; then
    mkdir -p -- "$(dirname -- "$path")"
    # -P copies a symbolic link as a link, so that `check` sees and refuses it.
    cp -P -- "$head_dir/$path" "$path"
  fi
  taken=$((taken + 1))
done < <(git -C "$head_dir" diff --no-renames --name-status -z "$fork_point" "$head_sha")

echo "已取用合并请求中 cases/ 下的 ${taken} 处改动。"
