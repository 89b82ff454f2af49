// PM2 설정 (03 레슨). 시드의 ecosystem.config.js와 같은 항목이다.
// 확장자가 .cjs인 까닭: package.json이 "type": "module"인 ESM 프로젝트에서도 CommonJS 설정 파일로 읽힌다.
//   npx pm2 start ecosystem.config.cjs    # 시작 (pm2는 이 폴더의 개발 의존성)
//   npx pm2 reload sample-node            # 무중단 리로드 (클러스터 모드에서)
//   npx pm2 delete sample-node            # 멈추고 목록에서 지우기
"use strict";

const path = require("node:path");

const logDir = process.env.PM2_LOG_DIR ?? path.join(__dirname, "logs");

module.exports = {
  apps: [
    {
      name: "sample-node",
      script: "./server.js",
      // 어느 폴더에서 pm2를 실행해도 script와 로그 경로가 이 파일 기준이 되게 한다
      cwd: __dirname,
      // "max"는 CPU 코어 수만큼. 컨테이너에서는 호스트 코어 수가 보이므로 실습에서는 숫자로 준다.
      instances: process.env.PM2_INSTANCES ? Number(process.env.PM2_INSTANCES) : "max",
      exec_mode: "cluster",
      // RSS가 이 값을 넘으면 재시작한다. /hog?mb=N으로 넘겨 볼 수 있다.
      max_memory_restart: process.env.PM2_MAX_MEMORY ?? "500M",
      env: {
        NODE_ENV: "production",
        PORT: process.env.PORT ?? 3000,
        // kill_timeout(5000)보다 짧아야 앱이 스스로 정리하고 끝난다. 길면 PM2의 SIGKILL이 먼저 온다.
        SHUTDOWN_TIMEOUT_MS: 4000,
      },
      // 로그
      log_date_format: "YYYY-MM-DD HH:mm:ss Z",
      error_file: path.join(logDir, "error.log"),
      out_file: path.join(logDir, "output.log"),
      merge_logs: true,
      // 그레이스풀 셧다운: PM2의 기본값 1600ms는 느린 요청을 끝내기에 짧다
      kill_timeout: 5000,
      listen_timeout: 10000,
      // 무중단 리로드: process.send("ready")를 기다린다
      wait_ready: true,
      max_restarts: 10,
      restart_delay: 1000,
    },
  ],
};
