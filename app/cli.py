"""The `jinzhong` command: migrate, seed, validate and serve.

Each command imports what it uses when it runs: `serve` never loads the seeder, the YAML
reader, Alembic or the synthetic data (some 60 ms of every restart, for nothing a server
does). tests/test_cold_start.py holds this.
"""

from __future__ import annotations

import gc
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from app.config import Settings

# The one import a signature needs (typer reads the option's choices from the enum): a
# vocabulary, which loads neither the database layer nor the models.
from app.rules.scopes import Scope

if TYPE_CHECKING:
    from app.seed.loader import SeedError

cli = typer.Typer(help="Jinzhong Indicators: curated data and its API.", no_args_is_help=True)
SeedDirOption = Annotated[
    Path | None, typer.Option("--seed-dir", help="Seed folder (default: SEED_DIR setting).")
]


@cli.command()
def migrate() -> None:
    """Apply database migrations up to the newest."""
    _migrate(Settings())


def _migrate(settings: Settings) -> None:
    from app.migrate import upgrade

    upgrade(settings.database_url)
    typer.echo("database is at the newest migration")


@cli.command()
def validate(seed_dir: SeedDirOption = None) -> None:
    """Check seed_data/ (YAML, references, quotes, figures, units) without touching a database."""
    from app.rules.witnesses import Agreement
    from app.seed.loader import SeedError, load_bundle

    folder = seed_dir or Settings().seed_dir
    try:
        bundle = load_bundle(folder)
    except SeedError as exc:
        _fail(exc)
    typer.echo(
        f"{folder}: valid — {len(bundle.sources)} source(s), {len(bundle.regions)} regions, "
        f"{len(bundle.topics)} topics, {len(bundle.units)} units, "
        f"{len(bundle.indicators)} indicators, {len(bundle.observations)} observations, "
        f"{len(bundle.entities)} entities, {len(bundle.events)} events, "
        f"{len(bundle.quotes)} quotes, {len(bundle.boundaries)} boundaries"
    )
    # What each source gives: a curator sees at once what a new document added.
    figures = Counter(o.source for o in bundle.observations)
    told = Counter(
        [e.source for e in bundle.entities]
        + [e.source for e in bundle.events]
        + [q.source for q in bundle.quotes]
    )
    drawn = Counter(b.source for b in bundle.boundaries)
    for source in bundle.sources:
        # Figures and moments from a source whose text is not stored carry locators.
        given = figures[source.code] or told[source.code]
        stored = "text stored" if source.text_file else "locators" if given else "no text"
        outlines = f", {drawn[source.code]} boundaries" if drawn[source.code] else ""
        typer.echo(
            f"  {source.code} ({source.kind.value}, {source.reliability.value}, {stored}): "
            f"{figures[source.code]} figures, {told[source.code]} other records{outlines}"
        )
    # Every check the record makes about itself, with its verdict; a conflicting one is here
    # only because its figures say why (else the bundle would not have loaded).
    verdicts = Counter(check.verdict.value for check in bundle.checks)
    typer.echo(
        f"{len(bundle.checks)} checks: "
        + ", ".join(f"{verdicts[v.value]} {v.value}" for v in Agreement if verdicts[v.value])
    )
    for check in bundle.checks:
        unit = f" ({check.unit})" if check.unit else ""
        typer.echo(
            f"  {check.verdict.value:<15} {check.code}: expected {check.expected}, "
            f"actual {check.actual}{unit}"
        )


@cli.command()
def seed(
    seed_dir: SeedDirOption = None,
    force: Annotated[bool, typer.Option(help="Sync even if the seed has not changed.")] = False,
) -> None:
    """Load seed_data/ into the database in one transaction (a no-op if already loaded)."""
    _seed(Settings(), seed_dir, force=force)


def _seed(settings: Settings, seed_dir: Path | None, *, force: bool) -> None:
    from app.db import make_engine
    from app.seed.loader import SeedError
    from app.seed.sync import DatabaseNotReadyError, seed_database

    engine = make_engine(settings.database_url)
    try:
        report = seed_database(engine, seed_dir or settings.seed_dir, force=force)
    except SeedError as exc:
        _fail(exc)
    except DatabaseNotReadyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    if report.kept_api_changes:
        typer.echo(
            "kept the database as it is: it holds changes made through the API since the last "
            "seed. Export them (jinzhong export DIR) into seed_data/, then seed with --force."
        )
        return
    if report.skipped:
        typer.echo(f"database already holds this seed ({report.content_hash[:12]}); nothing to do")
        return
    changes = ", ".join(
        f"{table} +{report.inserted.get(table, 0)} ~{report.updated.get(table, 0)} "
        f"-{report.deleted.get(table, 0)}"
        for table in report.inserted
        if report.inserted.get(table) or report.updated.get(table) or report.deleted.get(table)
    )
    typer.echo(f"seeded {report.content_hash[:12]}: {changes or 'no rows changed'}")


keys_cli = typer.Typer(help="Curators' API keys: create (shown once), list, revoke.")
cli.add_typer(keys_cli, name="keys")


@keys_cli.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Who or what the key is for (unique).")],
    scope: Annotated[Scope, typer.Option(help="write: curate data; admin: also manage.")],
) -> None:
    """Create a key and print it: the only time it is shown (only its hash is stored)."""
    from sqlmodel import Session

    from app.db import make_engine
    from app.errors import ConflictError
    from app.services.keys import create_key

    engine = make_engine(Settings().database_url)
    try:
        with Session(engine) as session, session.begin():
            key = create_key(session, name, scope)
    except ConflictError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(key)


@keys_cli.command("list")
def keys_list() -> None:
    """Every key: name, scope, when created and, if so, revoked (never a secret)."""
    from sqlmodel import Session

    from app.db import make_engine
    from app.services.keys import list_keys

    engine = make_engine(Settings().database_url)
    with Session(engine) as session:
        for key in list_keys(session):
            state = f"revoked {key.revoked_at}" if key.revoked_at else "active"
            typer.echo(f"{key.name}\t{key.scope}\tcreated {key.created_at}\t{state}")
    engine.dispose()


@keys_cli.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke a key: it stops working at once and stays listed as revoked."""
    from sqlmodel import Session

    from app.db import make_engine
    from app.errors import NotFoundError
    from app.services.keys import revoke_key

    engine = make_engine(Settings().database_url)
    try:
        with Session(engine) as session, session.begin():
            revoke_key(session, name)
    except NotFoundError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"revoked {name}")


@cli.command()
def export(
    target: Annotated[Path, typer.Argument(help="Folder to write (created if missing).")],
) -> None:
    """Write the database back as seed_data/ YAML (and source texts): seed → export → seed →
    export gives the same files."""
    from sqlalchemy.exc import OperationalError

    from app.db import make_engine
    from app.seed.export import export_database

    settings = Settings()
    engine = make_engine(settings.database_url, serving=True)
    try:
        written = export_database(engine, target)
    except OperationalError as exc:
        typer.echo(f"error: the database cannot be read ({type(exc.orig).__name__})", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"exported {len(written)} files to {target}")


@cli.command()
def boundaries(seed_dir: SeedDirOption = None) -> None:
    """Build seed_data/boundaries.geojson (the regions' outlines, simplified) from the package
    in the `maps` extra: a curator's build step, never run at serve time."""
    from app.seed.boundaries import BoundaryBuildError, build_boundaries, installed_package
    from app.seed.loader import SeedError

    folder = seed_dir or Settings().seed_dir
    try:
        report = build_boundaries(folder, installed_package())
    except BoundaryBuildError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except SeedError as exc:
        _fail(exc)
    typer.echo(
        f"wrote {report.path}: {report.regions} regions, {report.positions_before} positions "
        f"simplified to {report.positions_after}, {report.bytes_written} bytes"
    )


@cli.command()
def synth(
    observations: Annotated[int, typer.Option(min=1, help="How many to generate.")] = 1_000_000,
    db: Annotated[Path, typer.Option(help="SQLite file to create (must not exist).")] = Path(
        "var/synthetic.db"
    ),
) -> None:
    """Create a synthetic database for scale runs: the real seed plus N generated figures."""
    from app.db import make_engine
    from app.migrate import upgrade
    from app.synth import build_synthetic

    if db.exists():
        typer.echo(f"error: {db} exists; remove it or name another file", err=True)
        raise typer.Exit(1)
    url = f"sqlite:///{db.resolve()}"
    upgrade(url)
    engine = make_engine(url)
    with typer.progressbar(length=observations, label="observations") as bar:
        written = build_synthetic(engine, Settings().seed_dir, observations, progress=bar.update)
    engine.dispose()
    typer.echo(f"{db}: {written} synthetic observations beside the real seed")


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default: HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: PORT).")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (default: WORKERS).")
    ] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    prepare: Annotated[
        bool,
        typer.Option(
            help="First migrate and seed, as `jinzhong migrate` and `jinzhong seed` would "
            "(each a no-op when already done), in this one process (what `make run` does)."
        ),
    ] = False,
) -> None:
    """Serve the API with uvicorn: JSON logs, graceful shutdown, no migrations (run
    `jinzhong migrate` and `jinzhong seed` first, once, as a separate step, or pass
    --prepare)."""
    settings = Settings()
    if prepare:
        # One process instead of three: the imports (most of a restart's time) are paid once.
        _migrate(settings)
        _seed(settings, None, force=False)
    if (workers or settings.workers) == 1 and not reload:
        # This process will serve: until the app's start-up freezes what the imports made
        # and turns it back on (app/main.py), the collector would only walk those ~130,000
        # objects again and again, a tenth of a cold start, to find next to no garbage.
        # (Worker processes start afresh; a supervisor that only starts them keeps it on.)
        gc.disable()
    import uvicorn

    from app.observability import logging_config

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_config=logging_config(settings.log_level),
        log_level=settings.log_level,
        access_log=False,  # our own JSON line per request replaces uvicorn's
        # X-Forwarded-For/-Proto are believed only from the proxies FORWARDED_ALLOW_IPS
        # names; with none named, not at all (uvicorn alone would trust 127.0.0.1), so the
        # address the failed-authentication limit counts by cannot be forged by a client.
        proxy_headers=bool(settings.forwarded_allow_ips.strip()),
        forwarded_allow_ips=settings.forwarded_allow_ips.strip() or None,
        timeout_graceful_shutdown=settings.shutdown_timeout,
        reload=reload,
    )


def _fail(exc: SeedError) -> NoReturn:
    typer.echo(f"seed data is invalid ({len(exc.issues)} problem(s)):", err=True)
    for issue in exc.issues:
        typer.echo(f"  {issue}", err=True)
    raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    cli()


if __name__ == "__main__":
    main()
