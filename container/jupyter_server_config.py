"""코스 컨테이너의 Jupyter 서버 설정 (가상 환경의 etc/jupyter에 들어간다).

JupyterLab은 컨테이너 안에서 root로 돈다 (자기 Docker 엔진 때문이다). 호스트의 notebooks/를 바인드
마운트하면 저장한 파일이 호스트에서 root 소유가 되어 학습자가 고칠 수 없다. 그래서 저장할 때마다
파일(과 체크포인트 폴더)의 소유자를 그 폴더의 소유자로 되돌린다.
"""

import os


def _same_owner_as_parent(model, os_path, contents_manager, **kwargs):  # noqa: ARG001
    if os.geteuid() != 0:
        return
    parent = os.path.dirname(os_path)
    st = os.stat(parent)
    if st.st_uid == 0 and st.st_gid == 0:
        return
    for path in (os_path, os.path.join(parent, ".ipynb_checkpoints")):
        if os.path.exists(path):
            os.chown(path, st.st_uid, st.st_gid)
            if os.path.isdir(path):
                for name in os.listdir(path):
                    os.chown(os.path.join(path, name), st.st_uid, st.st_gid)


c = get_config()  # noqa: F821
c.FileContentsManager.post_save_hook = _same_owner_as_parent
c.ServerApp.open_browser = False
# 원격 기계·Codespaces에서 포트 전달을 거쳐 열어도 되게 한다 (토큰은 그대로 요구한다).
c.ServerApp.allow_remote_access = True
