# 한 단계지만 나머지 규칙은 지킨다: 다단계 빌드만 놓친다 (이미지는 여전히 충분히 작다).
# expect-fail: multi_stage
# expect-fail-live:
ARG PYTHON_IMAGE=python:3.13-slim
FROM ${PYTHON_IMAGE}
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . ./sample_app
RUN useradd --system --uid 10001 --no-create-home app
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
CMD ["gunicorn", "sample_app.main:app", "-k", "uvicorn_worker.UvicornWorker", "-b", "0.0.0.0:8000"]
