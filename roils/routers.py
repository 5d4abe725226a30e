"""Route the PSO aggregate store's models to the "pso" database and keep everything else off it."""

PSO_DB = "pso"


def is_pso_store_model(model) -> bool:
    """A model lives in the PSO store when it declares `pso_store = True` (only reporting's do)."""
    return getattr(model, "pso_store", False)


class PSOStoreRouter:
    """The aggregate store never shares tables (or foreign keys) with the practice side."""

    def db_for_read(self, model, **hints):
        return PSO_DB if is_pso_store_model(model) else "default"

    def db_for_write(self, model, **hints):
        return PSO_DB if is_pso_store_model(model) else "default"

    def allow_relation(self, obj1, obj2, **hints):
        return is_pso_store_model(type(obj1)) == is_pso_store_model(type(obj2))

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if model_name is None:
            return None if db == "default" else False
        # Migrations pass historical models, which lack class attributes: look up the real one.
        from django.apps import apps

        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            return db == "default"
        return (db == PSO_DB) == is_pso_store_model(model)
