; Inno Setup 6 script for Bảo An on Windows: the one folder PyInstaller built (dist\baoan),
; the agent as the BaoAnAgent service (LocalSystem, restarted on failure), the child's tray
; at every user's log-in, the PC's DNS, browser policies and firewall through
; `baoan system install`, and a removal that asks for the parent PIN first.
; Build (installers/README.md):  iscc /DAppVersion=0.1.0 installers\windows\baoan.iss

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define ServiceName "BaoAnAgent"

[Setup]
AppId={{3A7C9E52-6B1D-4F0A-9C3E-BA0A2026B0A1}
AppName=Bảo An
AppVersion={#AppVersion}
AppPublisher=Bảo An
DefaultDirName={autopf}\BaoAn
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=baoan-setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayName=Bảo An
UninstallDisplayIcon={app}\baoan-dashboard.exe
CloseApplications=force
; `baoan doctor`, `baoan pin reset-code`... from any administrator prompt: {app} on the PATH.
ChangesEnvironment=yes

[Files]
Source: "..\..\dist\baoan\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Dirs]
Name: "{commonappdata}\BaoAn"
Name: "{commonappdata}\BaoAn\data"

[Icons]
Name: "{autoprograms}\Bảo An"; Filename: "{app}\baoan-dashboard.exe"

[Registry]
; The tray for every user, at each log-in (HKLM: a child's account cannot remove it).
Root: HKLM; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "BaoAnTray"; ValueData: """{app}\baoan-tray.exe"""; Flags: uninsdeletevalue
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Check: NotOnPath

[Run]
; The data folder is for LocalSystem and the Administrators only (no "Users: read").
Filename: "{sys}\icacls.exe"; Parameters: """{commonappdata}\BaoAn\data"" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F"; Flags: runhidden waituntilterminated; AfterInstall: SetParentPin
Filename: "{app}\baoan.exe"; Parameters: "init --config ""{commonappdata}\BaoAn\family.toml"" --child ""{code:ChildName}"" --age {code:ChildAge} --os-user ""{code:ChildAccount}"""; Check: NoFamilyFileYet; Flags: runhidden waituntilterminated
Filename: "{sys}\sc.exe"; Parameters: "create {#ServiceName} binPath= ""\""{app}\baoan-service.exe\"" --config \""{commonappdata}\BaoAn\family.toml\"" --data-dir \""{commonappdata}\BaoAn\data\"" --dns-listen 127.0.0.1 --dns-listen [::1] --watch-system"" start= auto obj= LocalSystem DisplayName= ""Bảo An agent"""; Check: NoServiceYet; Flags: runhidden waituntilterminated
Filename: "{sys}\sc.exe"; Parameters: "description {#ServiceName} ""Bảo An: bộ lọc DNS và thời gian sử dụng của gia đình / the family's DNS filter and screen time"""; Flags: runhidden waituntilterminated
; Restarted 5 s after a failure, each time; a stop with an error counts as a failure too.
Filename: "{sys}\sc.exe"; Parameters: "failure {#ServiceName} reset= 86400 actions= restart/5000/restart/5000/restart/5000"; Flags: runhidden waituntilterminated
Filename: "{sys}\sc.exe"; Parameters: "failureflag {#ServiceName} 1"; Flags: runhidden waituntilterminated
Filename: "{sys}\sc.exe"; Parameters: "start {#ServiceName}"; Flags: runhidden waituntilterminated
; Once the agent answers: the PC's DNS (the previous settings saved), browser policies,
; the firewall rules for the children's accounts named in family.toml.
Filename: "{app}\baoan.exe"; Parameters: "system install --config ""{commonappdata}\BaoAn\family.toml"" --data-dir ""{commonappdata}\BaoAn\data"""; Flags: runhidden waituntilterminated
Filename: "{app}\baoan-dashboard.exe"; Description: "Mở bảng điều khiển / Open the dashboard"; Flags: postinstall nowait skipifsilent runasoriginaluser

[UninstallRun]
; The PIN was checked in InitializeUninstall; the DNS is given back while the agent still
; answers, then the service and the trays go.
Filename: "{app}\baoan.exe"; Parameters: "system remove --config ""{commonappdata}\BaoAn\family.toml"" --data-dir ""{commonappdata}\BaoAn\data"""; Flags: runhidden waituntilterminated; RunOnceId: "SystemRemove"
Filename: "{sys}\sc.exe"; Parameters: "stop {#ServiceName}"; Flags: runhidden waituntilterminated; RunOnceId: "StopService"
Filename: "{sys}\sc.exe"; Parameters: "delete {#ServiceName}"; Flags: runhidden waituntilterminated; RunOnceId: "DeleteService"
Filename: "{sys}\taskkill.exe"; Parameters: "/F /IM baoan-tray.exe"; Flags: runhidden waituntilterminated; RunOnceId: "StopTrays"

[Code]
var
  ChildPage: TInputQueryWizardPage;
  PinPage: TInputQueryWizardPage;

function ConfigFile(): String;
begin
  Result := ExpandConstant('{commonappdata}\BaoAn\family.toml');
end;

function DataDir(): String;
begin
  Result := ExpandConstant('{commonappdata}\BaoAn\data');
end;

function NoFamilyFileYet(): Boolean;
begin
  Result := not FileExists(ConfigFile());
end;

function NoServiceYet(): Boolean;
var
  ResultCode: Integer;
begin
  Result := not (Exec(ExpandConstant('{sys}\sc.exe'), 'query {#ServiceName}', '', SW_HIDE,
    ewWaitUntilTerminated, ResultCode) and (ResultCode = 0));
end;

const
  EnvironmentKey = 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment';

function NotOnPath(): Boolean;
var
  PathValue: String;
begin
  if not RegQueryStringValue(HKLM, EnvironmentKey, 'Path', PathValue) then
    Result := True
  else
    Result := Pos(';' + Uppercase(ExpandConstant('{app}')) + ';', ';' + Uppercase(PathValue) + ';') = 0;
end;

{ At removal, {app} leaves the PATH again (the rest of it untouched). }
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  PathValue: String;
  Index: Integer;
begin
  if (CurUninstallStep = usPostUninstall) and RegQueryStringValue(HKLM, EnvironmentKey, 'Path', PathValue) then
  begin
    Index := Pos(';' + Uppercase(ExpandConstant('{app}')), Uppercase(PathValue));
    if Index > 0 then
    begin
      Delete(PathValue, Index, Length(ExpandConstant('{app}')) + 1);
      RegWriteExpandStringValue(HKLM, EnvironmentKey, 'Path', PathValue);
    end;
  end;
end;

function Unquoted(Value: String): String;
begin
  Result := Trim(Value);
  StringChangeEx(Result, '"', '', True);
end;

function ChildName(Param: String): String;
begin
  Result := Unquoted(ChildPage.Values[0]);
end;

function ChildAge(Param: String): String;
begin
  Result := Unquoted(ChildPage.Values[1]);
end;

function ChildAccount(Param: String): String;
begin
  Result := Unquoted(ChildPage.Values[2]);
end;

function IsPin(Value: String): Boolean;
var
  Index: Integer;
begin
  Result := (Length(Value) >= 4) and (Length(Value) <= 12);
  for Index := 1 to Length(Value) do
    if (Value[Index] < '0') or (Value[Index] > '9') then
      Result := False;
end;

procedure InitializeWizard();
begin
  ChildPage := CreateInputQueryPage(wpSelectDir,
    'Con / The child',
    'Bảo An bảo vệ con nào trên máy này? / Which child does Bảo An protect on this PC?',
    'Thêm các con khác sau, trong bảng điều khiển. / Add more children later, in the dashboard.');
  ChildPage.Add('Tên của con / The child''s name:', False);
  ChildPage.Add('Tuổi / Age (0-17):', False);
  ChildPage.Add('Tài khoản Windows của con / The child''s Windows account:', False);
  PinPage := CreateInputQueryPage(ChildPage.ID,
    'Mã PIN của cha mẹ / The parent PIN',
    'Mã PIN mở bảng điều khiển và cho phép gỡ Bảo An. / The PIN opens the dashboard and allows removing Bảo An.',
    '4-12 chữ số. Nếu máy đã có mã PIN, mã cũ được giữ. / 4 to 12 digits. A PIN already set is kept.');
  PinPage.Add('Mã PIN / PIN:', True);
  PinPage.Add('Nhập lại / Again:', True);
end;

function ShouldSkipPage(PageID: Integer): Boolean;
begin
  Result := (PageID = ChildPage.ID) and not NoFamilyFileYet();
end;

function NextButtonClick(CurPageID: Integer): Boolean;
var
  Age: Integer;
begin
  Result := True;
  if CurPageID = ChildPage.ID then
  begin
    Age := StrToIntDef(ChildAge(''), -1);
    if (ChildName('') = '') or (ChildAccount('') = '') or (Age < 0) or (Age > 17) then
    begin
      MsgBox('Hãy nhập tên, tuổi (0-17) và tài khoản của con. / Enter the child''s name, age (0-17) and account.', mbError, MB_OK);
      Result := False;
    end;
  end
  else if CurPageID = PinPage.ID then
  begin
    if not IsPin(PinPage.Values[0]) or (PinPage.Values[0] <> PinPage.Values[1]) then
    begin
      MsgBox('Mã PIN phải gồm 4-12 chữ số, hai lần như nhau. / The PIN must be 4 to 12 digits, the same twice.', mbError, MB_OK);
      Result := False;
    end;
  end;
end;

{ The PIN goes to `baoan pin set` in a file of the administrator's own temp folder, never on
  a command line (which every account can read), and the file is deleted at once. }
procedure SetParentPin();
var
  PinFile: String;
  ResultCode: Integer;
begin
  PinFile := GenerateUniqueName(GetTempDir(), '.txt');
  SaveStringToFile(PinFile, PinPage.Values[0], False);
  try
    if not Exec(ExpandConstant('{app}\baoan.exe'),
      'pin set --config "' + ConfigFile() + '" --data-dir "' + DataDir() + '" --pin-file "' + PinFile + '" --only-if-unset',
      '', SW_HIDE, ewWaitUntilTerminated, ResultCode) or (ResultCode <> 0) then
      MsgBox('Chưa đặt được mã PIN; hãy đặt sau bằng mã cài đặt trong bảng điều khiển. / The PIN could not be set; set it later with the set-up code in the dashboard.', mbInformation, MB_OK);
  finally
    DeleteFile(PinFile);
  end;
end;

function AskParentPin(var Pin: String): Boolean;
var
  Form: TSetupForm;
  Prompt: TNewStaticText;
  Edit: TPasswordEdit;
  OkButton, CancelButton: TNewButton;
begin
  Form := CreateCustomForm();
  try
    Form.ClientWidth := ScaleX(380);
    Form.ClientHeight := ScaleY(140);
    Form.Caption := 'Bảo An';
    Prompt := TNewStaticText.Create(Form);
    Prompt.Parent := Form;
    Prompt.Left := ScaleX(12);
    Prompt.Top := ScaleY(12);
    Prompt.Caption := 'Nhập mã PIN của cha mẹ để gỡ Bảo An.' + #13#10 + 'Enter the parent PIN to remove Bảo An.';
    Edit := TPasswordEdit.Create(Form);
    Edit.Parent := Form;
    Edit.Left := ScaleX(12);
    Edit.Top := ScaleY(56);
    Edit.Width := ScaleX(356);
    OkButton := TNewButton.Create(Form);
    OkButton.Parent := Form;
    OkButton.Caption := 'OK';
    OkButton.Left := ScaleX(206);
    OkButton.Top := ScaleY(100);
    OkButton.ModalResult := mrOk;
    OkButton.Default := True;
    CancelButton := TNewButton.Create(Form);
    CancelButton.Parent := Form;
    CancelButton.Caption := 'Hủy / Cancel';
    CancelButton.Left := ScaleX(290);
    CancelButton.Top := ScaleY(100);
    CancelButton.ModalResult := mrCancel;
    CancelButton.Cancel := True;
    Form.ActiveControl := Edit;
    Result := Form.ShowModal() = mrOk;
    Pin := Edit.Text;
  finally
    Form.Free();
  end;
end;

{ Removal only with the parent PIN: `baoan pin verify` checks it against the agent's secret
  store, with the dashboard's lockout after wrong tries. }
function InitializeUninstall(): Boolean;
var
  Pin, PinFile: String;
  ResultCode: Integer;
begin
  Result := False;
  if not AskParentPin(Pin) then
    Exit;
  PinFile := GenerateUniqueName(GetTempDir(), '.txt');
  SaveStringToFile(PinFile, Pin, False);
  try
    if Exec(ExpandConstant('{app}\baoan.exe'),
      'pin verify --data-dir "' + DataDir() + '" --pin-file "' + PinFile + '"',
      '', SW_HIDE, ewWaitUntilTerminated, ResultCode) and (ResultCode = 0) then
      Result := True
    else
      MsgBox('Mã PIN không đúng (hoặc đã bị khóa vì sai nhiều lần): Bảo An chưa được gỡ. / Wrong PIN (or locked after wrong tries): Bảo An stays.', mbError, MB_OK);
  finally
    DeleteFile(PinFile);
  end;
end;
