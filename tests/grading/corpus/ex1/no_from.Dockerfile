# FROM이 없다: Dockerfile로 읽을 수 없다.
# expect-fail: hadolint multi_stage slim deps_first no_pip_cache apt_clean non_root exec_cmd healthcheck five_fixed
RUN echo "FROM을 잊었다"
