"""The ground floor every app may import: the shared vocabulary (taxonomy), the identifier scrubber, form
fields, and small infrastructure pieces (cache backend, proxy middleware, static storage). Nothing here imports
an app."""
