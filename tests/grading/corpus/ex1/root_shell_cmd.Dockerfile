# 다단계 빌드는 했지만 root로, 셸 형식 CMD로 돌고 HEALTHCHECK가 없다.
# expect-fail: hadolint non_root exec_cmd healthcheck
# expect-fail-live: runs_non_root healthy
ARG PYTHON_IMAGE=python:3.13-slim
FROM ${PYTHON_IMAGE} AS builder
RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM ${PYTHON_IMAGE}
ENV PATH="/opt/venv/bin:$PATH"
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY . ./sample_app/
EXPOSE 8000
CMD gunicorn sample_app.main:app -k uvicorn_worker.UvicornWorker -b 0.0.0.0:8000
