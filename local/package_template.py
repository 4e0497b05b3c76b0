"""Writes target/lambda/template.yaml: template.yaml with every function pointing at the
zip `local/package.sh` built for it (CodeUri: <binary>/bootstrap.zip) instead of being
built by `sam build`, so that `sam deploy` and `sam local start-api` use exactly those
artifacts."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILT = re.compile(
    r"    Metadata:\n      BuildMethod: rust-cargolambda\n      BuildProperties:\n        Binary: (\w+)\n"
    r"    Properties:\n"
)


def main():
    out_dir = ROOT / "target" / "lambda"
    template = (ROOT / "template.yaml").read_text()
    functions = BUILT.findall(template)
    missing = [f for f in functions if not (out_dir / f / "bootstrap.zip").exists()]
    if missing:
        sys.exit(f"package: no zip for {', '.join(missing)}")
    packaged = BUILT.sub(lambda m: f"    Properties:\n      CodeUri: {m.group(1)}/bootstrap.zip\n", template)
    packaged = packaged.replace("    CodeUri: .\n", "", 1)
    if "rust-cargolambda" in packaged:
        sys.exit("package: a function of template.yaml is not in the expected form")
    (out_dir / "template.yaml").write_text(packaged)
    print(f"package: {len(functions)} functions -> {out_dir / 'template.yaml'}")


if __name__ == "__main__":
    main()
