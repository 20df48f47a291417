"""Set up and serve the app on one machine: ``python -m pamong.devtools.serve``.

Applies the migrations, imports the wilayah data, creates the demo admin,
starts the SMTP sink and serves on http://127.0.0.1:5000.
"""

import os
import secrets
from pathlib import Path

DEMO_ADMIN = "admin@pamong.test"


def main() -> None:
    """Prepare the database, print how to log in, and serve until stopped."""
    host = os.environ.get("PAMONG_HOST", "127.0.0.1")
    port = int(os.environ.get("PAMONG_PORT", "5000"))
    public_url = os.environ.get("PAMONG_PUBLIC_URL", f"http://{host}:{port}")

    from flask_migrate import upgrade

    from pamong import create_app
    from pamong.admin.services import ensure_admin
    from pamong.devtools import mailsink
    from pamong.wilayah.services import import_wilayah

    app = create_app({"DEV_MAILBOX": True, "PUBLIC_URL": public_url})
    password = os.environ.get("PAMONG_ADMIN_PASSWORD") or secrets.token_urlsafe(9)
    with app.app_context():
        upgrade()
        import_wilayah()
        ensure_admin(DEMO_ADMIN, "Admin Demo", password)

    sink = mailsink.start(Path(app.instance_path) / "mailbox", app.config["MAIL_PORT"])
    print(
        "\nLMS Pamong Desa berjalan.\n"
        f"  Aplikasi : http://{host}:{port}/\n"
        f"  Surat    : http://{host}:{port}/_dev/surat/ "
        f"(SMTP 127.0.0.1:{app.config['MAIL_PORT']})\n"
        f"  Admin    : {DEMO_ADMIN} / {password}\n",
        flush=True,
    )
    try:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
