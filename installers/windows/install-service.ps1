# Install the Bảo An agent as a Windows service running as LocalSystem, start the tray in
# every user's session, and point the network adapters' DNS at the agent.
# Run in an elevated PowerShell:  .\install-service.ps1 -Child "Minh" -Age 9 -OsUser "minh"
param(
    [Parameter(Mandatory = $true)][string]$Child,
    [Parameter(Mandatory = $true)][int]$Age,
    [Parameter(Mandatory = $true)][string]$OsUser
)
$ErrorActionPreference = "Stop"
$baoan = (Get-Command baoan.exe).Source
$config = Join-Path $env:ProgramData "BaoAn\family.toml"
$data = Join-Path $env:ProgramData "BaoAn\data"
New-Item -ItemType Directory -Force -Path (Split-Path $config), $data | Out-Null
# The data folder (every child's history, Help presses, the secrets) is for LocalSystem and
# the Administrators only: no inherited "Users: read" from ProgramData.
icacls $data /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" | Out-Null
if ($LASTEXITCODE -ne 0) { throw "cannot make $data private" }
if (-not (Test-Path $config)) {
    & $baoan init --config $config --child $Child --age $Age --os-user $OsUser
}
New-Service -Name "BaoAnAgent" -DisplayName "Bảo An agent" -StartupType Automatic `
    -BinaryPathName "`"$baoan`" agent --config `"$config`" --data-dir `"$data`" --dns-listen 127.0.0.1 --dns-listen [::1]"
sc.exe failure BaoAnAgent reset= 60 actions= restart/2000/restart/2000/restart/2000 | Out-Null
Start-Service BaoAnAgent
Set-ItemProperty -Path "HKLM:\Software\Microsoft\Windows\CurrentVersion\Run" `
    -Name "BaoAnTray" -Value "`"$baoan`" tray"
# DNS on every active adapter (what was there saved, given back by `baoan system remove`),
# the browsers' policies and the firewall rules for the children's accounts.
& $baoan system install --config $config --data-dir $data
if ($LASTEXITCODE -ne 0) { Write-Warning "baoan system install did not finish; see above" }
# The parent PIN is set here, by the administrator who owns the agent's data: the
# dashboard cannot set a first PIN without the one-time set-up code.
if ([Environment]::UserInteractive -and -not [Console]::IsInputRedirected) {
    & $baoan pin set --config $config --data-dir $data --only-if-unset
    Write-Output "Bảo An is installed."
} else {
    Write-Output "Bảo An is installed. Set the parent PIN in an elevated PowerShell:"
    Write-Output "  & `"$baoan`" pin set --config `"$config`" --data-dir `"$data`""
}
