# 한 단계, pip 캐시를 남기고, apt 목록을 지우지 않는다.
# expect-fail: hadolint multi_stage no_pip_cache apt_clean
ARG PYTHON_IMAGE=python:3.13-slim
FROM ${PYTHON_IMAGE}
RUN apt-get update && apt-get install -y postgresql-client
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . ./sample_app
RUN useradd --system --uid 10001 --no-create-home app
USER 10001
HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"]
CMD ["gunicorn", "sample_app.main:app", "-k", "uvicorn_worker.UvicornWorker", "-b", "0.0.0.0:8000"]
