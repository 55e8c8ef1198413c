"""`graphinv export package … --out X.wacz` (called by `graphinv export`) and
`graphinv verify X.wacz`: signed evidence packages and their offline check."""

from __future__ import annotations

from pathlib import Path

import click

from .base import main
from ..errors import InputError
from ..store import open_store


def export_package(store_uri: str, out: Path, *, campaign: str | None, lineage: str | None, case: str | None,
                   tsa_url: str | None, key_dir: Path | None) -> list[Path]:
    """`graphinv export package`: exactly one of campaign, lineage and case."""
    from ..export.package import build_package

    chosen = {kind: value for kind, value in (("campaign", campaign), ("lineage", lineage), ("case", case))
              if value}
    if len(chosen) != 1:
        raise InputError("an evidence package needs one of --campaign UID, --lineage UID or --case NAME")
    if out.suffix != ".wacz":
        raise InputError(f"an evidence package is a WACZ: name it NAME.wacz, not {out.name}")
    with open_store(store_uri, read_only=True) as store:
        written = build_package(store, chosen, out, tsa_url=tsa_url, key_dir=key_dir)
    return [written, written.with_name(written.name + ".pub.pem")]


@main.command()
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The investigator's public key (PEM) the package should be signed with.")
@click.option("--tsa-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The time-stamping authority's certificate (PEM or DER) the time-stamp should be from.")
def verify(package, key, tsa_cert):
    """Check an evidence package offline: every file's sha256, the signature, the
    time-stamp, the custody chain and every capture's bytes. One line per check; exit
    status 1 when any fails.

    \b
    graphinv verify campaign0.wacz --key campaign0.wacz.pub.pem
    """
    from ..export.package_verify import verify_package

    checks = verify_package(package, key=key, tsa_cert=tsa_cert)
    for check in checks:
        click.echo(check.line())
    failed = [check.name for check in checks if not check.ok]
    if failed:
        raise click.ClickException(f"{package} fails: {', '.join(failed)}")
    click.echo(f"{package}: every check holds")
