# 소스를 먼저 복사하고 설치한다: 코드 한 줄만 바꿔도 설치 층부터 다시 만든다.
# expect-fail: deps_first
# expect-fail-live: cache_reused
ARG PYTHON_IMAGE=python:3.13-slim
FROM ${PYTHON_IMAGE} AS builder
RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"
WORKDIR /src
COPY . .
RUN pip install --no-cache-dir -r requirements.txt

FROM ${PYTHON_IMAGE}
ENV PATH="/opt/venv/bin:$PATH"
RUN useradd --system --uid 10001 --no-create-home app
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY . ./sample_app/
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
CMD ["gunicorn", "sample_app.main:app", "-k", "uvicorn_worker.UvicornWorker", "-b", "0.0.0.0:8000"]
