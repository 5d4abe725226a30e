"""The read-only JSON API of a PSO's store (Django REST framework), authenticated by the PSO's API tokens."""
