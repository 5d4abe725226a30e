"""Static files storage for production: whitenoise's compressed manifest, with each file's URL remembered."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's storage, answering `{% static %}` from memory after the first lookup of each name.

    The manifest is read once and never changes while the process lives (a deploy restarts it), so neither
    does a file's URL. Every page names six to eight static files, and looking one up in the manifest and
    joining it to STATIC_URL took about 13 µs each time.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force=True)
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name)  # a name missing from the manifest raises: not kept
            return url
