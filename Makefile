# 빠른 시작은 두 명령이다: `make lab` (실습 환경을 만들고 JupyterLab을 연다), `make test` (전부 검증).
# CI(.ci/run)도 같은 명령을 부른다.

PYTHON ?= python3
# 가상 환경 폴더. 코스 컨테이너는 환경 변수 VENV=/opt/venv 로 이미지에 든 것을 쓴다 (container/Dockerfile).
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NODE_DIR := sample_app/node
LAB_PORT ?= 8888
LAB_ARGS ?=
KERNEL := deploy-course
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: lab setup node-deps kernel test test-unit lint test-notebooks notebooks docker images clean-labs bench bench-lessons \
	course-image course-lab course-down test-container

## 실습 환경을 만들거나 갱신하고 JupyterLab을 00 노트북에서 연다
lab: setup
	$(VENV)/bin/jupyter lab notebooks/00_start_here.ipynb --port=$(LAB_PORT) $(ROOT_FLAG) $(LAB_ARGS)

## 가상 환경 + 파이썬 의존성 + Node 의존성 + 커널 등록 (여러 번 실행해도 안전하다)
setup: $(STAMP) node-deps kernel

$(STAMP): pyproject.toml
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $(STAMP)

node-deps: $(NODE_DIR)/node_modules/.package-lock.json

$(NODE_DIR)/node_modules/.package-lock.json: $(NODE_DIR)/package-lock.json
	@if command -v npm >/dev/null; then \
		cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error; \
	else echo "⚠️ npm이 없어 PM2 실습(03)을 건너뛴다. Node.js 18 이상을 설치하면 열린다."; fi

kernel: $(STAMP)
	@$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (배포 코스)" >/dev/null
	@echo "✅ 커널 '$(KERNEL)' 등록"

## 전부 검증: 단위·앱·Docker 테스트, 노트북 최신 여부, 정답 노트북(nbval), 학생 노트북
## (-k: 단위 테스트가 실패해도 nbval까지 돌려 한 번에 모든 실패를 보고, 끝에서 실패로 끝난다)
test: setup
	@$(MAKE) --no-print-directory -k test-unit test-notebooks

test-unit: lint
	$(PY) -m labs.notebooks --check
	$(PY) -m pytest tests -p no:cacheprovider --durations=15

## 린터: 규칙과 그 이유는 pyproject.toml의 [tool.ruff] (고칠 수 있는 것은 `ruff check --fix 파일`)
lint:
	$(PY) -m ruff check labs tests sample_app benchmarks

test-notebooks:
	$(PY) -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg \
		-p no:cacheprovider --durations=11 solutions/

## 학생용 notebooks/ 를 solutions/ 에서 다시 만든다
notebooks: $(STAMP)
	$(PY) -m labs.notebooks

## Docker 엔진과 Compose 플러그인을 설치·실행한다 (Debian/Ubuntu, root)
docker:
	bash scripts/docker-engine.sh

## 코스가 쓰는 이미지를 받거나(레지스트리가 막히면) 대체 이미지를 만든다
images: $(STAMP)
	$(PY) -m labs.images prepare

## 코스 컨테이너 (이슈 15): 실습 환경 전체(Python 3.13, nginx 1.26, 자기 Docker 엔진과 BuildKit …)가 든 이미지
## course-image: 이미지를 만든다 (레지스트리가 없으면 오프라인 키트의 Debian 기반에서)
course-image:
	bash scripts/course-container.sh build

## course-lab: 컨테이너를 띄우고 JupyterLab 주소(토큰 포함)를 찍는다 (127.0.0.1:$(LAB_PORT)에만 연다)
course-lab:
	COURSE_LAB_PORT=$(LAB_PORT) bash scripts/course-container.sh up

## course-down: 컨테이너를 내린다 (notebooks/ 의 작업은 남는다)
course-down:
	bash scripts/course-container.sh down

## 코스 컨테이너 검증: 이미지를 만들고(있으면 캐시), 띄워서 Chromium으로 JupyterLab을 조작하고, 안쪽 BuildKit으로 빌드한다
test-container: $(STAMP)
	COURSE_CONTAINER_TESTS=1 $(PY) -m pytest tests/container -p no:cacheprovider --durations=5 -v

## 실습이 남긴 프로세스·컨테이너를 모두 정리한다
clean-labs: $(STAMP)
	$(PY) -c "import labs; labs.cleanup()"

## 벤치마크 (숫자를 출력만 한다): 부하 생성기의 한계와 예제 앱 처리량, 이미지 크기·재빌드 시간
bench: $(STAMP)
	$(PY) benchmarks/bench_load.py
	$(PY) benchmarks/bench_docker.py

## 레슨마다 정답 노트북 실행 시간 (목표: 레슨 4분, 셀 60초)
bench-lessons: $(STAMP)
	$(PY) benchmarks/bench_lessons.py
