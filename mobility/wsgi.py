import os

from django.core.wsgi import get_wsgi_application

from mobility.config import exit_on_config_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobility.settings")
application = exit_on_config_error(get_wsgi_application)
