#!/bin/sh
# A nightly backup that is shown to restore: `manage.py backup`, then `manage.py verify_backup`
# on the file it wrote (README "Backups"). Run by the compose `backup` service and by
# systemd/resettle-backup.service, from the app's folder, with its settings in the environment.
# Exits non-zero when either step fails, so the timer or cron reports it.
set -eu

python=${RESETTLE_PYTHON:-python}
output=$("$python" manage.py backup)
echo "$output"
# "Backup written to <path> (checksum in <name>.sha256)"
file=${output#Backup written to }
file=${file% (checksum in *}
if [ ! -f "$file" ]; then
    echo "backup.sh: cannot tell which file the backup wrote from: $output" >&2
    exit 1
fi
"$python" manage.py verify_backup "$file"

# Keep RESETTLE_BACKUP_KEEP_DAYS days of backups here (default 14); copies off the machine
# are kept by your own schedule.
keep=${RESETTLE_BACKUP_KEEP_DAYS:-14}
directory=$(dirname "$file")
find "$directory" -maxdepth 1 -type f \( -name 'resettle-*.backup' -o -name 'resettle-*.backup.sha256' \) \
    -mtime "+$keep" -print -delete
