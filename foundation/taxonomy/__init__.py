"""The shared vocabulary: the taxonomies and status lists that practices, review and the PSO store all speak.

`events` holds the Submit Event lists and the event lifecycle, `review` the investigation's lists and trees.
Pure data: any app may import them, and they import no app.
"""
