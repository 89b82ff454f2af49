-- PostgreSQL 컨테이너가 빈 데이터 폴더로 처음 시작할 때 한 번만 실행된다 (/docker-entrypoint-initdb.d).
-- 테이블은 여기서 만들지 않는다: 스키마는 마이그레이션(`migrate` 서비스)이 관리한다.
-- 여기에는 서버 쪽 준비만 둔다: 앱 계정의 기본 시간대를 UTC로, 오래 끄는 쿼리는 30초에서 끊는다.
ALTER ROLE CURRENT_USER SET timezone TO 'UTC';
ALTER ROLE CURRENT_USER SET statement_timeout TO '30s';
