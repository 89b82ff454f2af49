# 시드 10절 문제 1의 Dockerfile 그대로: 코스 규칙을 거의 다 어긴다.
# expect-fail: hadolint multi_stage slim deps_first no_pip_cache apt_clean non_root exec_cmd healthcheck five_fixed
FROM python:3.12
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
RUN apt-get update && apt-get install -y postgresql-client
EXPOSE 8000
CMD python -m uvicorn app.main:app --host 0.0.0.0 --port 8000
