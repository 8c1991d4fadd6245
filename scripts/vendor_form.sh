#!/usr/bin/env bash
# Vendors the JavaScript the 在线填写 form page uses (scripts/vendor/package.json,
# pinned by package-lock.json) into theme_overrides/assets/javascripts/vendor/.
# The output is committed: nothing is fetched when the site is built or tested.
# Run it again only to change a version: edit package.json, `npm install` there,
# then `bash scripts/vendor_form.sh` and commit both the lock file and the output.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
out="$root/theme_overrides/assets/javascripts/vendor"

npm ci --prefix "$here/vendor" --no-audit --no-fund --ignore-scripts
mkdir -p "$out"
pkg="$here/vendor/node_modules/js-yaml"
version="$(node -p "require('$pkg/package.json').version")"
cp "$pkg/dist/js-yaml.min.js" "$out/js-yaml.min.js"
cp "$pkg/LICENSE" "$out/js-yaml.LICENSE.txt"
cat > "$out/NOTICE.txt" <<TXT
# 第三方脚本（由 scripts/vendor_form.sh 生成，请勿手工修改）

| 文件 | 来源 | 版本 | 许可证 |
| --- | --- | --- | --- |
| js-yaml.min.js | npm 包 js-yaml（dist/js-yaml.min.js） | $version | MIT，见 js-yaml.LICENSE.txt |

在线填写页面用它读取用户打开或粘贴的已有案例文件；生成 YAML 用的是项目自己的
dangjian 表单脚本（../form.js），不依赖它。
TXT
echo "vendored js-yaml $version into ${out#"$root"/}"
