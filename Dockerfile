# Production image: Python 3.11 + the app + front-end assets from npm (built at image time, never a CDN).
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir -e .
COPY . .
COPY --from=assets /src/node_modules ./node_modules
RUN mkdir -p static/vendor/bootstrap static/vendor/bootstrap-icons static/vendor/chartjs static/vendor/htmx \
 && cp node_modules/bootstrap/dist/css/bootstrap.min.css* node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* static/vendor/bootstrap/ \
 && cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts static/vendor/bootstrap-icons/ \
 && cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map static/vendor/chartjs/ \
 && cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/ \
 && rm -rf node_modules \
 && DEBUG=0 SECRET_KEY=build-only-key-not-used-at-run-time-000000000000000000 python manage.py collectstatic --noinput
RUN useradd --create-home roils && mkdir -p /media && chown -R roils /app /media
USER roils
EXPOSE 8000
CMD ["gunicorn", "roils.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
