"""Demo data beyond practices: each app that has demo content adds a hook here (roils wires the apps)."""

from importlib import import_module

DEMO_HOOKS = [
    "events.demo.seed_events",
    "review.demo.seed_reviews",
    "analytics.demo.seed_local_learning",
]


def run_demo_hooks(world: dict, *, events: int) -> list[str]:
    """Run the demo hooks of the installed apps in order and collect what they report."""
    lines = []
    for dotted in DEMO_HOOKS:
        module_name, func_name = dotted.rsplit(".", 1)
        try:
            module = import_module(module_name)
        except ModuleNotFoundError:
            continue
        line = getattr(module, func_name)(world, events=events)
        if line:
            lines.append(line)
    return lines
