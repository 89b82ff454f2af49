"""레슨별 체크포인트 채점기. 모듈 이름은 레슨 이름을 따른다 (예: `start_here` → 00 레슨)."""

from . import start_here
from . import asgi_servers
from . import wsgi_gunicorn
from . import pm2_nodejs
from . import nginx_reverse_proxy
from . import tls_termination
from . import health_and_shutdown
from . import twelve_factor_config

__all__ = ["start_here", "asgi_servers", "wsgi_gunicorn", "pm2_nodejs", "nginx_reverse_proxy", "tls_termination",
           "health_and_shutdown", "twelve_factor_config"]
